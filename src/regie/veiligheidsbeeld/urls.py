from django.urls import path

from regie.veiligheidsbeeld import views, waterbed_views

app_name = "veiligheidsbeeld"

org_urlpatterns = [
    path("veiligheidsbeeld/", views.overview, name="overview"),
    path("veiligheidsbeeld/waterbed/", waterbed_views.waterbed, name="waterbed"),
    path("veiligheidsbeeld/<str:code>/", views.measure, name="measure"),
]
