from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's set_language, which also remembers a signed-in user's choice (for e-mails).
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("crisiscell.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # GET only: OPTIONS made Swagger's HTML renderer look for a template it has not (a 500).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", http_method_names=["get", "head"]),
        name="api-docs",
    ),
    path("cells/", include("cells.urls")),
    path("", include("accounts.urls")),
    path("", include("incidents.urls")),
    path("", include("chat.urls")),
    path("", include("facts.urls")),
    path("", include("statements.urls")),
    path("", include("reminders.urls")),
    path("", include("notifications.urls")),
    path("", include("playbooks.urls")),
    path("", include("drills.urls")),
    path("", include("relays.urls")),
    path("", include("monitoring.urls")),
    path("", include("response_queue.urls")),
    path("", include("workspace.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# The app's own error pages, in both languages, reading nothing from the database.
handler400 = "crisiscell.error_pages.bad_request"
handler403 = "crisiscell.error_pages.permission_denied"
handler404 = "crisiscell.error_pages.page_not_found"
handler500 = "crisiscell.error_pages.server_error"
