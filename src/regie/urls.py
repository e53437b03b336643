from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from regie import api_urls
from regie.accounts import urls as accounts_urls
from regie.accounts import views as accounts_views
from regie.areas import urls as areas_urls
from regie.cases import urls as cases_urls
from regie.monitor import urls as monitor_urls
from regie.policy import urls as policy_urls
from regie.privacy import urls as privacy_urls
from regie.programme import urls as programme_urls
from regie.reports import urls as reports_urls
from regie.veiligheidsbeeld import urls as veiligheidsbeeld_urls

handler400 = "regie.core.views.bad_request"
handler403 = "regie.core.views.permission_denied"
handler404 = "regie.core.views.page_not_found"
handler500 = "regie.core.views.server_error"

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("account/", include(accounts_urls)),
    path("", include((accounts_urls.installation_urlpatterns, "installatie"))),
    path("", include((areas_urls.urlpatterns, "areas"))),
    path("", include((cases_urls.public_urlpatterns, "melden"))),
    path("api/v1/", include(api_urls)),
    re_path(r"^api/", api_urls.not_found),  # JSON 404 for any other address under /api/
    path("<slug:org>/", include((areas_urls.org_urlpatterns, "org_areas"))),
    path("<slug:org>/", include((accounts_urls.org_urlpatterns, "beheer"))),
    path("<slug:org>/", include((monitor_urls.org_urlpatterns, "monitor"))),
    path(
        "<slug:org>/",
        include((veiligheidsbeeld_urls.org_urlpatterns, "veiligheidsbeeld")),
    ),
    path("<slug:org>/", include((policy_urls.org_urlpatterns, "policy"))),
    path("<slug:org>/", include((programme_urls.org_urlpatterns, "programme"))),
    path("<slug:org>/", include((reports_urls.org_urlpatterns, "reports"))),
    path("<slug:org>/", include((cases_urls.org_urlpatterns, "cases"))),
    path("<slug:org>/", include((privacy_urls.org_urlpatterns, "privacy"))),
]

if settings.REGIE_DJANGO_ADMIN:
    # For developers only; the product's own Beheer section is the user interface.
    urlpatterns.insert(0, path("admin/", admin.site.urls))
