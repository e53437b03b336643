from django.urls import path

from regie.monitor import views

app_name = "monitor"

org_urlpatterns = [
    path("bronnen/", views.dataset_list, name="dataset_list"),
    path("bronnen/<int:dataset_id>/", views.dataset_detail, name="dataset_detail"),
    path("bronnen/uploaden/", views.upload, name="upload"),
    path("bronnen/uploaden/controle/<int:batch_id>/", views.upload_check, name="upload_check"),
    path("bronnen/uploaden/importeren/", views.upload_confirm, name="upload_confirm"),
    path("bronnen/uploaden/annuleren/", views.upload_cancel, name="upload_cancel"),
    path("bronnen/import/<int:batch_id>/", views.import_status, name="import_status"),
    path("bronnen/sjabloon.csv", views.template_csv, name="template_csv"),
    path("bronnen/sjabloon.xlsx", views.template_xlsx, name="template_xlsx"),
]
