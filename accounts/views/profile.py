from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from units.selectors import home_units


@login_required
def profile(request):
    return render(
        request, "accounts/profile.html", {"profile_user": request.user, "home_units": home_units(user=request.user)}
    )
