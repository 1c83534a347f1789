from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("documents/<int:pk>/threads/", views.thread_new, name="thread_new"),
    path("documents/<int:pk>/threads/<int:thread_pk>/", views.thread_detail, name="thread"),
    path(
        "documents/<int:pk>/sections/<slug:section>/threads/",
        views.section_threads,
        name="section_threads",
    ),
    path("documents/<int:pk>/threads/<int:thread_pk>/reply/", views.thread_reply, name="reply"),
    path(
        "documents/<int:pk>/threads/<int:thread_pk>/resolve/", views.thread_resolve, name="resolve"
    ),
    path("documents/<int:pk>/threads/<int:thread_pk>/reopen/", views.thread_reopen, name="reopen"),
    path("documents/<int:pk>/threads/<int:thread_pk>/to-faq/", views.thread_to_faq, name="to_faq"),
    path("documents/<int:pk>/comments/<int:comment_pk>/edit/", views.comment_edit, name="edit"),
    path(
        "documents/<int:pk>/comments/<int:comment_pk>/delete/", views.comment_delete, name="delete"
    ),
    path("documents/<int:pk>/subscription/", views.subscription, name="subscription"),
    path("documents/<int:pk>/blind-reading/", views.blind_reading, name="blind_reading"),
    path("documents/<int:pk>/submit/", views.submit_review, name="submit"),
    path("documents/<int:pk>/review/", views.review_current, name="review"),
    path("documents/<int:pk>/rounds/<int:number>/", views.round_detail, name="round"),
    path("documents/<int:pk>/rounds/<int:number>/verdict/", views.verdict, name="verdict"),
    path("documents/<int:pk>/rounds/<int:number>/concerns/", views.concern_new, name="concern"),
    path(
        "documents/<int:pk>/rounds/<int:number>/concerns/<int:concern_pk>/resolve/",
        views.concern_resolve,
        name="concern_resolve",
    ),
    path("documents/<int:pk>/rounds/<int:number>/withdraw/", views.withdraw, name="withdraw"),
    path("documents/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read_all"),
    path("notifications/<int:notification_pk>/", views.notification_open, name="notification"),
    path("people/", views.people, name="people"),
]
