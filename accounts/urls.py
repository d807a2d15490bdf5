from django.urls import path

from .views import (
    credential_requests,
    issuing,
    lifecycle,
    lists,
    parent_requests,
    parents,
    profile,
    quotas,
    rollover,
    staff,
)

app_name = "accounts"
urlpatterns = [
    # --- My profile and photos (views/profile.py) ---
    path("", profile.profile, name="profile"),
    path("sua/", profile.profile_edit, name="profile_edit"),
    path("tai-khoan/<id:pk>/anh/", profile.account_photo_status, name="account_photo_status"),
    path("anh/<id:pk>/", profile.photo, name="photo"),
    path("quy-dinh-ho-so/<id:unit_pk>/", profile.profile_rules, name="profile_rules"),
    # --- end of profile ---
    # --- Issuing, credentials, lists (views/issuing.py, views/lists.py) ---
    path("truong/<id:school_pk>/", lists.school_account_list, name="school_accounts"),
    path("truong/<id:school_pk>/cap-moi/", issuing.account_new, name="account_new"),
    path("truong/<id:school_pk>/nhap-tu-tep/", issuing.import_upload, name="import_upload"),
    path("truong/<id:school_pk>/tep-mau.xlsx", issuing.import_template, name="import_template"),
    path("lo/<id:pk>/", issuing.batch_detail, name="batch"),
    path("lo/<id:pk>/xac-nhan/", issuing.batch_confirm, name="batch_confirm"),
    path("lo/<id:pk>/kiem-tra-lai/", issuing.batch_recheck, name="batch_recheck"),
    path("lo/<id:pk>/tai-khoan.xlsx", issuing.batch_sheet_xlsx, name="batch_sheet_xlsx"),
    path("lo/<id:pk>/in-phieu/", issuing.batch_sheet_print, name="batch_sheet_print"),
    path("lo/<id:pk>/xoa-bang-mat-khau/", issuing.batch_sheet_discard, name="batch_sheet_discard"),
    path("tai-khoan/<id:pk>/cap-lai/", issuing.account_reissue, name="account_reissue"),
    path("lop/<id:pk>/cap-lai/", issuing.class_reissue, name="class_reissue"),
    path("don-vi/<id:unit_pk>/cap-can-bo/", staff.staff_account_new, name="staff_account_new"),
    path(
        "tai-khoan/<id:pk>/yeu-cau-cap-lai/",
        credential_requests.credential_request_new,
        name="credential_request_new",
    ),
    path("truong/<id:school_pk>/yeu-cau-cap-lai/", credential_requests.credential_requests, name="credential_requests"),
    path(
        "yeu-cau-cap-lai/<id:pk>/quyet-dinh/",
        credential_requests.credential_request_decision,
        name="credential_request_decide",
    ),
    # --- end of issuing ---
    # --- Quotas (views/quotas.py) ---
    path("truong/<id:school_pk>/dinh-muc/", quotas.quota, name="quota"),
    path("dinh-muc/yeu-cau/", quotas.quota_requests, name="quota_requests"),
    path("dinh-muc/yeu-cau/<id:pk>/quyet-dinh/", quotas.quota_request_decision, name="quota_request_decide"),
    # --- end of quotas ---
    # --- Lifecycle: account page, deactivate, transfer, classes (views/lifecycle.py) ---
    path("tai-khoan/<id:pk>/", lifecycle.account_detail, name="account_detail"),
    path("tai-khoan/<id:pk>/vo-hieu-hoa/", lifecycle.account_deactivate_view, name="account_deactivate"),
    path("tai-khoan/<id:pk>/kich-hoat/", lifecycle.account_reactivate_view, name="account_reactivate"),
    path("tai-khoan/<id:pk>/chuyen-lop/", lifecycle.account_move_class_view, name="account_move_class"),
    path("tai-khoan/<id:pk>/chuyen-truong/", lifecycle.account_transfer_view, name="account_transfer"),
    path("truong/<id:school_pk>/chuyen-den/", lifecycle.school_transfers, name="transfers"),
    path("chuyen-truong/<id:pk>/chap-nhan/", lifecycle.transfer_accept_view, name="transfer_accept"),
    path("chuyen-truong/<id:pk>/tu-choi/", lifecycle.transfer_refuse_view, name="transfer_refuse"),
    path("chuyen-truong/<id:pk>/huy/", lifecycle.transfer_cancel_view, name="transfer_cancel"),
    path("lop/<id:pk>/len-lop/", lifecycle.class_promote_view, name="class_promote"),
    # --- end of lifecycle ---
    # --- Parents (views/parents.py, issue #17) ---
    path("tai-khoan/<id:pk>/phu-huynh/cap-moi/", parents.parent_new, name="parent_new"),
    path("phu-huynh/lien-ket/<id:pk>/ket-thuc/", parents.parent_unlink_view, name="parent_unlink"),
    path("phu-huynh/de-nghi/", parent_requests.parent_request_new, name="parent_request_new"),
    path("truong/<id:school_pk>/de-nghi-phu-huynh/", parent_requests.parent_requests, name="parent_requests"),
    path("phu-huynh/de-nghi/<id:pk>/quyet-dinh/", parent_requests.parent_request_decide, name="parent_request_decide"),
    # --- end of parents ---
    # --- Year-end rollover (views/rollover.py) ---
    path("truong/<id:school_pk>/len-lop-cuoi-nam/", rollover.rollover_wizard, name="rollover"),
    path("len-lop-cuoi-nam/<id:pk>/hoan-tac/", rollover.rollover_undo_view, name="rollover_undo"),
    # --- end of rollover ---
]
