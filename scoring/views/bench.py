"""The trivial signed-in page `make bench` compares the ranking page with (scoring.bench.load).

It pays what every page of the app pays (middleware, session, sign-in, the base layout with its
navigation and notification bell) and nothing else, so the ranking's share of that rate is the
cost of the ranking itself. Mounted only by the bench's own URL configuration
(scoring/bench/urls.py): the app's URLs never serve it.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def trivial(request):
    return render(request, "scoring/bench/trivial.html")
