"""Messenger settings read from the environment (docs/messenger.md). A platform is on when its
app credentials are set; its callback refuses every request while it is off."""

from datetime import timedelta

import environ

env = environ.Env()

# How long a card's buttons work (WeCom lets a card be updated for 72 hours after a tap).
CARD_TTL = timedelta(hours=env.int("MESSENGER_CARD_TTL_HOURS", default=72))
# A callback whose platform timestamp is further than this from our clock is refused.
CALLBACK_MAX_SKEW = timedelta(seconds=env.int("MESSENGER_CALLBACK_MAX_SKEW_SECONDS",
                                              default=300))
# WeCom cards cannot take free text: the rejection reason is chosen from these.
REJECT_REASONS = env.list("MESSENGER_REJECT_REASONS", default=[
    "金额超出指引", "请补充客户损失依据", "请换一个方案"])

# WeCom (企业微信) self-built app: template_card messages and their callback.
WECOM_API = env.str("WECOM_API", default="https://qyapi.weixin.qq.com")
WECOM_CORP_ID = env.str("WECOM_CORP_ID", default="")
WECOM_AGENT_ID = env.str("WECOM_AGENT_ID", default="")
WECOM_SECRET = env.str("WECOM_SECRET", default="")
WECOM_TOKEN = env.str("WECOM_CALLBACK_TOKEN", default="")
WECOM_AES_KEY = env.str("WECOM_ENCODING_AES_KEY", default="")

# DingTalk (钉钉) app with a robot: interactive cards from a card template.
DINGTALK_API = env.str("DINGTALK_API", default="https://api.dingtalk.com")
DINGTALK_APP_KEY = env.str("DINGTALK_APP_KEY", default="")
DINGTALK_APP_SECRET = env.str("DINGTALK_APP_SECRET", default="")
DINGTALK_ROBOT_CODE = env.str("DINGTALK_ROBOT_CODE", default="")
DINGTALK_CARD_TEMPLATE_ID = env.str("DINGTALK_CARD_TEMPLATE_ID", default="")
DINGTALK_CALLBACK_ROUTE_KEY = env.str("DINGTALK_CALLBACK_ROUTE_KEY", default="recovery")

# Feishu (飞书) app: interactive cards through lark-oapi; card.action.trigger callbacks.
FEISHU_DOMAIN = env.str("FEISHU_DOMAIN", default="https://open.feishu.cn")
FEISHU_APP_ID = env.str("FEISHU_APP_ID", default="")
FEISHU_APP_SECRET = env.str("FEISHU_APP_SECRET", default="")
FEISHU_VERIFICATION_TOKEN = env.str("FEISHU_VERIFICATION_TOKEN", default="")
FEISHU_ENCRYPT_KEY = env.str("FEISHU_ENCRYPT_KEY", default="")
# Which Feishu id the identities hold: open_id (default, needs no extra scope) or user_id.
FEISHU_ID_TYPE = env.str("FEISHU_ID_TYPE", default="open_id")


def enabled(platform: str) -> bool:
    if platform == "wecom":
        return bool(WECOM_CORP_ID and WECOM_SECRET and WECOM_TOKEN and WECOM_AES_KEY)
    if platform == "dingtalk":
        return bool(DINGTALK_APP_KEY and DINGTALK_APP_SECRET and DINGTALK_CARD_TEMPLATE_ID)
    if platform == "feishu":
        return bool(FEISHU_APP_ID and FEISHU_APP_SECRET and FEISHU_VERIFICATION_TOKEN)
    return False
