"""HTML pages (help-centre FAQs) read into the same section tree as Markdown notes."""

from __future__ import annotations

from pipeline.collect.markdown import QaPair, parse_note
from pipeline.collect.markdown.html import html_to_markdown
from schemas.config import MarkdownConfig

PAGE = """<!DOCTYPE html>
<html>
<head><title>帮助中心</title><style>h2 { color: red; }</style></head>
<body>
<nav><a href="/">首页</a> <a href="/faq">常见问题</a></nav>
<h2>账户与登录</h2>
<details>
  <summary>忘记密码怎么办？</summary>
  <p>在登录页点击<strong>忘记密码</strong>，按短信验证码重设。</p>
  <img src="/static/reset.png" alt="重设密码页面">
</details>
<dl>
  <dt>能否注销账户？</dt>
  <dd><p>可以。注销后数据保留 30 天：</p>
    <ul><li>订单记录</li><li>发票</li></ul>
  </dd>
</dl>
<h2>支付</h2>
<h3>支持哪些支付方式？</h3>
<table><tr><th>方式</th><th>手续费</th></tr><tr><td>微信</td><td>0</td></tr></table>
<pre><code>curl https://api.example.cn/pay</code></pre>
<script>track()</script>
<footer>© 示例公司</footer>
</body>
</html>
"""


def test_faq_markup_becomes_headings_and_answers() -> None:
    markdown, _ = html_to_markdown(PAGE)
    assert markdown.startswith("# 帮助中心\n\n## 账户与登录\n\n### 忘记密码怎么办？")
    assert "track()" not in markdown and "首页" not in markdown and "示例公司" not in markdown


def test_pairs_of_an_html_page_point_at_its_lines() -> None:
    first, second, third = [i for i in parse_note(PAGE, "html", MarkdownConfig()) if isinstance(i, QaPair)]
    assert (first.question, first.answer) == ("忘记密码怎么办？", "在登录页点击**忘记密码**，按短信验证码重设。")
    assert (first.line, first.line_end, first.headings) == (8, 9, ("帮助中心", "账户与登录", "忘记密码怎么办？"))
    assert (second.question, second.line) == ("能否注销账户？", 13)
    assert second.answer == "可以。注销后数据保留 30 天：\n\n- 订单记录\n- 发票"
    assert third.question == "支持哪些支付方式？"
    assert "| 微信 | 0 |" in third.answer and "```\ncurl https://api.example.cn/pay\n```" in third.answer
    assert (third.line, third.line_end) == (19, 21)


def test_an_image_keeps_its_alt_text_on_request() -> None:
    [first, *_] = [i for i in parse_note(PAGE, "html", MarkdownConfig(images="alt_text")) if isinstance(i, QaPair)]
    assert first.answer.endswith("重设密码页面")
