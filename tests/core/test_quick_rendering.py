"""
The lists' rows and dropdowns written in Python (a page of 250 jurisdictions
or fifty cases, a select of fifty-six states): the same HTML as Django's
templates gave, escaped the same way.
"""

import datetime

import pytest
from django import forms
from django.template import Context, Template

from core.forms import QuickSelect
from optouts.models import Delivery, Outcome, Stage
from tests.factories import JurisdictionFactory, OptOutRequestFactory


@pytest.mark.parametrize(
    "value, attrs",
    [
        ("", None),
        ("CA", {"id": "id_state"}),
        ("<b>", {"id": "id_x", "disabled": True, "aria-describedby": 'a "quoted" id'}),
        (None, {"required": False, "data-x": "1"}),
    ],
)
def test_a_quick_select_writes_what_django_s_select_writes(value, attrs):
    choices = [("", "All states"), ("CA", "California"), ("<b>", "Bold & <i>odd</i>")]
    expected = forms.Select(choices=choices).render("state", value, attrs)
    assert QuickSelect(choices=choices).render("state", value, attrs) == expected
    assert "<i>" not in expected and "&lt;i&gt;" in expected


def test_a_quick_select_with_groups_is_left_to_django():
    choices = [("West", [("CA", "California")]), ("East", [("NY", "New York")])]
    expected = forms.Select(choices=choices).render("state", "NY", {"id": "s"})
    assert QuickSelect(choices=choices).render("state", "NY", {"id": "s"}) == expected


@pytest.mark.parametrize("value", ["weekly", None, "<b>"])
def test_each_quick_radio_button_is_what_django_writes(value):
    from core.forms import QuickRadioSelect

    choices = [("immediate", "Each one"), ("weekly", "A weekly digest"), ("<b>", "Odd & <i>")]

    class Form(forms.Form):
        plain = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
        quick = forms.ChoiceField(choices=choices, widget=QuickRadioSelect)

    form = Form(initial={"plain": value, "quick": value})
    expected = [str(radio.tag()).replace("plain", "quick") for radio in form["plain"]]
    written = [str(radio.tag()) for radio in form["quick"]]
    assert written == expected
    assert any(" checked" in tag for tag in expected) == (value is not None)
    assert 'value="&lt;b&gt;"' in expected[-1]
    # The whole widget is still Django's own.
    assert str(form["quick"]) == str(form["plain"]).replace("plain", "quick")


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.django_db
def test_case_rows_escape_names_and_show_each_badge():
    today = datetime.date(2010, 11, 1)
    jurisdiction = JurisdictionFactory(
        name='<script>alert("x")</script> County',
        scheduled_activation=datetime.date(2010, 9, 28),
        actual_activation=datetime.date(2010, 9, 28),
    )
    resolved = OptOutRequestFactory(
        jurisdiction=jurisdiction,
        stage=Stage.RESOLVED,
        outcome=Outcome.DENIED,
        opened_on=datetime.date(2010, 8, 24),
        closed_on=datetime.date(2010, 10, 20),
    )
    partly = OptOutRequestFactory(
        jurisdiction=JurisdictionFactory(name="Arlington County"),
        stage=Stage.DRAFT,
        opened_on=datetime.date(2010, 9, 1),
    )
    Delivery.objects.create(
        request=partly, recipient="sib", method="email", sent_on=datetime.date(2010, 9, 2)
    )
    html = render(
        "{% load optouts_tags %}{% case_rows cases today %}", cases=[resolved, partly], today=today
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; County" in html
    assert f'href="/cases/{resolved.pk}/"' in html
    assert "Activated while pending</span>" in html
    assert '<span class="badge stage-resolved outcome-denied">Resolved: denied' in html
    assert "Sep 28, 2010<br><small>activated Sep 28, 2010</small>" in html
    assert "Aug 24, 2010" in html
    # A draft one copy went out of reads as partly sent, with its days waiting.
    assert "Notice partly sent</span>" in html
    assert html.count("<tr>") == 2


@pytest.mark.django_db
def test_jurisdiction_rows_escape_names_and_show_the_status():
    from public.templatetags.public_status import with_statuses

    odd = JurisdictionFactory(
        name="O'Brien & <Sons> County", fips="19141", scheduled_activation=None
    )
    rows = with_statuses([odd])
    html = render("{% load public_status %}{% jurisdiction_rows rows %}", rows=rows)
    assert "O&#x27;Brien &amp; &lt;Sons&gt; County" in html
    assert f'href="/jurisdictions/{odd.pk}/"' in html
    assert (
        f'<span class="badge status-{rows[0].status.value}">{rows[0].status.label}</span>' in html
    )
    assert html.count("—") == 2  # neither scheduled nor activated


@pytest.mark.parametrize(
    "value",
    [
        'O\'Brien & <Sons> "County"',
        "plain",
        "",
        42,
        datetime.date(2010, 6, 8),
        None,
    ],
)
def test_the_rows_escape_each_value_as_django_does(value):
    from django.utils.functional import lazy
    from django.utils.html import conditional_escape, format_html
    from django.utils.safestring import mark_safe

    from core.rows import escaped, html_row, html_rows

    lazy_text = lazy(lambda: str(value), str)()
    for v in (value, lazy_text, mark_safe(f"<b>{value}</b>")):
        assert escaped(v) == conditional_escape(v)
        assert html_row("<td>{}</td><td>{}</td>", v, v) == format_html(
            "<td>{}</td><td>{}</td>", v, v
        )
    assert html_rows("<li>{}</li>", [(value,), ("<i>",)], sep="") == (
        format_html("<li>{}</li>", value) + format_html("<li>{}</li>", "<i>")
    )
