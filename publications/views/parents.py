"""The parents' page of letters and news (issue #17): what is addressed to them, paged, newest first."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from truonghoc.paging import count_free_page

from ..selectors.parents import parent_letters, parent_news

PAGE_SIZE = 20


@login_required
def parent_publications(request):
    user = request.user
    if user.account_type != user.AccountType.PARENT:
        raise Http404  # staff and students have the inbox and the news pages
    tab = "news" if request.GET.get("tab") == "news" else "letters"
    rows = parent_news(user=user) if tab == "news" else parent_letters(user=user)
    page = count_free_page(rows, number=request.GET.get("page"), size=PAGE_SIZE)
    return render(request, "publications/parent_publications.html", {"tab": tab, "page": page})
