from django.urls import path

from .views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("years/<int:year_id>/ranking/", pages.ranking, name="ranking"),
    path("years/<int:year_id>/units/<slug:unit_code>/", pages.scorecard, name="scorecard"),
]
