from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from prfaq import views

prfaq_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("documents/new/", views.document_new, name="new"),
    path("documents/import/", views.document_import, name="import"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", views.document_edit, name="edit"),
    path("documents/<int:pk>/autosave/", views.document_autosave, name="autosave"),
    path("documents/<int:pk>/preview/", views.document_preview, name="preview"),
    path("documents/<int:pk>/history/", views.document_history, name="history"),
    path("documents/<int:pk>/compare/", views.document_compare, name="compare"),
    path("documents/<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision"),
    path("documents/<int:pk>/sharing/", views.document_sharing, name="sharing"),
    path("documents/<int:pk>/export/", views.document_export, name="export"),
]

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("", include((prfaq_patterns, "prfaq"))),
    path("", include("reviews.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        views.PasswordChange.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]
