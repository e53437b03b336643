from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from regie.accounts import views

app_name = "accounts"

urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("verificatie/", views.verify, name="verify"),
    path("verificatie/instellen/", views.setup_2fa, name="setup_2fa"),
    path("mijn-account/", views.profile, name="profile"),
    path(
        "wachtwoord/wijzigen/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "wachtwoord/gewijzigd/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "wachtwoord/vergeten/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "wachtwoord/vergeten/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "wachtwoord/nieuw/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
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
        "beheer/gebruikers/<int:user_id>/verificatie-wissen/",
        views.member_reset_2fa,
        name="member_reset_2fa",
    ),
    path("beheer/organisatie/", views.organisation_settings, name="organisation_settings"),
    path("beheer/audit/", views.audit_log, name="audit_log"),
    path("beheer/audit/<int:entry_id>/", views.audit_entry, name="audit_entry"),
]

installation_urlpatterns = [
    path("beheer/organisaties/", views.organisation_list, name="organisation_list"),
]
