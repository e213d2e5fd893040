"""The app's URLs plus the trivial page of the bench (see scoring/bench/settings.py)."""

from django.urls import path

from cchc.urls import urlpatterns as app_urlpatterns
from scoring.views import bench

urlpatterns = [
    path("bench/trivial/", bench.trivial, name="bench_trivial"),
    *app_urlpatterns,
]
