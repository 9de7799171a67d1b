from django.urls import path

from . import views

urlpatterns = [
    path("messenger/wecom/callback/", views.wecom_callback, name="messenger-wecom"),
    path("messenger/dingtalk/callback/", views.dingtalk_callback, name="messenger-dingtalk"),
    path("messenger/feishu/callback/", views.feishu_callback, name="messenger-feishu"),
]
