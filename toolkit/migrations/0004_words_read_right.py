"""The stored scripts read right (issue 21): no line asks the customer to change their score
(car makers penalise that), and the Chinese ones use Chinese punctuation. A template someone
edited keeps their text; the punctuation is also fixed when a script is rendered."""

import re

from django.db import migrations

SCORE_LINES = (
    "如果您方便的话,能否把之前的{score}分改一下?我们真的希望能再次赢得您的信任。\n",
    "If you are willing, could you update the {score} points you gave us? We truly hope to "
    "win back your trust.\n",
)
CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
ZH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
ASCII_BY_CJK = re.compile(rf"(?<=[{CJK}])[,;:?!]|[,;:?!](?=[{CJK}])"
                          rf"|\((?=[^()]*[{CJK}][^()]*\))|(?<=[{CJK}])\)")


def forwards(apps, schema_editor):
    WordTemplate = apps.get_model("toolkit", "WordTemplate")
    for template in WordTemplate.objects.all():
        body = template.body
        for line in SCORE_LINES:
            body = body.replace(line, "")
        if template.language == "zh-hans":
            body = ASCII_BY_CJK.sub(lambda m: ZH[m.group(0)], body)
            body = re.sub(r"（([^()（）]*)\)", r"（\1）", body)
        if body != template.body:
            template.body = body
            template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0003_contact_satisfied")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
