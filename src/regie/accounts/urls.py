from django.contrib.auth import views as auth_views
from django.urls import path

from regie.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("verificatie/", views.verify, name="verify"),
    path("verificatie/instellen/", views.setup_2fa, name="setup_2fa"),
    path("mijn-account/", views.profile, name="profile"),
    path("mijn-account/e-mailadres/", views.email_change, name="email_change"),
    path(
        "mijn-account/e-mailadres/bevestigen/<str:token>/",
        views.email_confirm,
        name="email_confirm",
    ),
    path(
        "mijn-account/apps/<int:device_id>/verwijderen/",
        views.device_remove,
        name="device_remove",
    ),
    path(
        "mijn-account/uitnodigingen/<int:invitation_id>/",
        views.invitation_respond,
        name="invitation_respond",
    ),
    path("uitnodiging/<str:token>/", views.invitation, name="invitation"),
    path(
        "wachtwoord/wijzigen/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "wachtwoord/gewijzigd/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("wachtwoord/vergeten/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "wachtwoord/vergeten/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "wachtwoord/nieuw/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord/nieuw/klaar/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

org_urlpatterns = [
    path("beheer/", views.member_list, name="member_list"),
    path("beheer/gebruikers/<int:user_id>/", views.member_detail, name="member_detail"),
    path("beheer/gebruikers/<int:user_id>/verwijderen/", views.member_remove, name="member_remove"),
    path(
        "beheer/uitnodigingen/<int:invitation_id>/intrekken/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("beheer/organisatie/", views.organisation_settings, name="organisation_settings"),
    path("beheer/api-tokens/", views.api_token_list, name="api_token_list"),
    path(
        "beheer/api-tokens/<int:token_id>/intrekken/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("beheer/audit/", views.audit_log, name="audit_log"),
    path("beheer/audit/<int:entry_id>/", views.audit_entry, name="audit_entry"),
]

installation_urlpatterns = [
    path("beheer/organisaties/", views.organisation_list, name="organisation_list"),
    path("beheer/accounts/", views.account_list, name="account_list"),
    path("beheer/accounts/<int:user_id>/", views.account_detail, name="account_detail"),
    path(
        "beheer/accounts/<int:user_id>/verificatie-wissen/",
        views.account_reset_2fa,
        name="account_reset_2fa",
    ),
    path("beheer/audit/", views.installation_audit_log, name="audit_log"),
    path("beheer/audit/<int:entry_id>/", views.installation_audit_entry, name="audit_entry"),
]
