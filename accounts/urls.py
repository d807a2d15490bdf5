from django.urls import path

from .views import credential_requests, issuing, lifecycle, lists, profile, quotas

app_name = "accounts"
urlpatterns = [
    # --- My profile and photos (views/profile.py) ---
    path("", profile.profile, name="profile"),
    path("sua/", profile.profile_edit, name="profile_edit"),
    path("tai-khoan/<int:pk>/anh/", profile.account_photo_status, name="account_photo_status"),
    path("anh/<int:pk>/", profile.photo, name="photo"),
    path("quy-dinh-ho-so/<int:unit_pk>/", profile.profile_rules, name="profile_rules"),
    # --- end of profile ---
    # --- Issuing, credentials, lists (views/issuing.py, views/lists.py) ---
    path("truong/<int:school_pk>/", lists.school_account_list, name="school_accounts"),
    path("truong/<int:school_pk>/cap-moi/", issuing.account_new, name="account_new"),
    path("truong/<int:school_pk>/nhap-tu-tep/", issuing.import_upload, name="import_upload"),
    path("truong/<int:school_pk>/tep-mau.xlsx", issuing.import_template, name="import_template"),
    path("lo/<int:pk>/", issuing.batch_detail, name="batch"),
    path("lo/<int:pk>/xac-nhan/", issuing.batch_confirm, name="batch_confirm"),
    path("lo/<int:pk>/kiem-tra-lai/", issuing.batch_recheck, name="batch_recheck"),
    path("lo/<int:pk>/tai-khoan.xlsx", issuing.batch_sheet_xlsx, name="batch_sheet_xlsx"),
    path("lo/<int:pk>/in-phieu/", issuing.batch_sheet_print, name="batch_sheet_print"),
    path("lo/<int:pk>/xoa-bang-mat-khau/", issuing.batch_sheet_discard, name="batch_sheet_discard"),
    path("tai-khoan/<int:pk>/cap-lai/", issuing.account_reissue, name="account_reissue"),
    path("lop/<int:pk>/cap-lai/", issuing.class_reissue, name="class_reissue"),
    path(
        "tai-khoan/<int:pk>/yeu-cau-cap-lai/",
        credential_requests.credential_request_new,
        name="credential_request_new",
    ),
    path(
        "truong/<int:school_pk>/yeu-cau-cap-lai/", credential_requests.credential_requests, name="credential_requests"
    ),
    path(
        "yeu-cau-cap-lai/<int:pk>/quyet-dinh/",
        credential_requests.credential_request_decision,
        name="credential_request_decide",
    ),
    # --- end of issuing ---
    # --- Quotas (views/quotas.py) ---
    path("truong/<int:school_pk>/dinh-muc/", quotas.quota, name="quota"),
    path("dinh-muc/yeu-cau/", quotas.quota_requests, name="quota_requests"),
    path("dinh-muc/yeu-cau/<int:pk>/quyet-dinh/", quotas.quota_request_decision, name="quota_request_decide"),
    # --- end of quotas ---
    # --- Lifecycle: account page, deactivate, transfer, classes (views/lifecycle.py) ---
    path("tai-khoan/<int:pk>/", lifecycle.account_detail, name="account_detail"),
    path("tai-khoan/<int:pk>/vo-hieu-hoa/", lifecycle.account_deactivate_view, name="account_deactivate"),
    path("tai-khoan/<int:pk>/kich-hoat/", lifecycle.account_reactivate_view, name="account_reactivate"),
    path("tai-khoan/<int:pk>/chuyen-lop/", lifecycle.account_move_class_view, name="account_move_class"),
    path("tai-khoan/<int:pk>/chuyen-truong/", lifecycle.account_transfer_view, name="account_transfer"),
    path("truong/<int:school_pk>/chuyen-den/", lifecycle.school_transfers, name="transfers"),
    path("chuyen-truong/<int:pk>/chap-nhan/", lifecycle.transfer_accept_view, name="transfer_accept"),
    path("chuyen-truong/<int:pk>/tu-choi/", lifecycle.transfer_refuse_view, name="transfer_refuse"),
    path("chuyen-truong/<int:pk>/huy/", lifecycle.transfer_cancel_view, name="transfer_cancel"),
    path("lop/<int:pk>/len-lop/", lifecycle.class_promote_view, name="class_promote"),
    # --- end of lifecycle ---
]
