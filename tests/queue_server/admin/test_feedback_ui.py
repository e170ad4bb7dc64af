"""The phone page carries the optional feedback question (hidden until the visit is done), CSP-clean."""

from __future__ import annotations

from flask.testing import FlaskClient

from queue_server.services import tickets
from queue_server.services.context import Context
from tests.queue_server.admin.test_dashboard import Audit


def test_the_phone_page_includes_the_feedback_question_and_its_script(client: FlaskClient, ctx: Context) -> None:
    token = tickets.issue_ticket(ctx, services=["kela"], language="sv").view.token
    resp = client.get(f"/t/{token}?lang=sv")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="feedback"' in html and "Hur gick ditt besök?" in html and "Väntetid" in html
    assert '<section id="feedback" class="phone-feedback" aria-labelledby="feedback-q" hidden>' in html
    assert html.count('name="rating"') == 5 and html.count('name="category"') == 5
    assert "textarea" not in html  # no free text
    audit = Audit()
    audit.feed(html)
    assert audit.problems == []
    assert 'src="/assets/admin/feedback.js"' in html
    with client.get("/assets/admin/feedback.js") as script:
        assert script.status_code == 200 and b"/feedback" in script.data
