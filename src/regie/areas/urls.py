from django.urls import path

from regie.areas import views

app_name = "areas"

urlpatterns = [
    path("gebieden/", views.area_index, name="index"),
    path("gebieden/<str:code>/", views.area_detail, name="detail"),
]

org_urlpatterns = [
    path("", views.overview, name="overview"),
    path("gebieden/", views.gemeente_areas, name="gemeente_areas"),
]
