"""The Danish catalogues follow the glossary (docs/glossary.md).

1. No msgstr holds a wrong variant from the glossary's *Avoid* column (whole word, any case).
2. No msgstr uses English quotation marks: Danish quotes with »…«.
3. No msgstr writes an accented imperative (»Registrér«): we write »Registrer«.
4. Texts association-facing sources use (listed below) say »I«, not »du/din/dit/dine/dig«.

What 4 covers: the msgids found in ASSOCIATION_FACING — the applicant's screens, the
hearing answer page, the usage report form, the letters and the e-mails to associations —
as ``makemessages`` would find them (templates through Django's own ``templatize``,
Python through its syntax tree). A text used only on staff pages, or on the account pages
(sign-in, codes), may say »du« to the person; a text that is in a listed source and is
also shown to staff is checked all the same (write it without a pronoun).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUES = (
    ROOT / "locale/da/LC_MESSAGES/django.po",
    ROOT / "notifications/locale/da/LC_MESSAGES/django.po",
)

# Sources whose texts an association (a person acting for one) reads. Some are shared with
# staff (the case page, the frame, the refusals the flow gives): those are written without
# a pronoun, so they read right to both.
ASSOCIATION_FACING = (
    "templates/base.html",
    "templates/_field.html",
    "templates/_form_errors.html",
    "web/applications/templates/applications/application_detail.html",
    "web/applications/templates/applications/application_act.html",
    # Issue 18 (CVR): the association's details page.
    "web/associations/templates/associations/association_details.html",
    "web/applications/templates/applications/flow_chart.html",
    "web/applications/templates/applications/_hearings.html",
    # The guided application (issue 17, draft) in place of the single edit page.
    "web/applications/templates/applications/draft_step.html",
    "web/applications/templates/applications/_step_field.html",
    "web/applications/templates/applications/_step_indicator.html",
    "web/applications/templates/applications/_autosaved.html",
    "web/applications/templates/applications/draft_review.html",
    "web/applications/templates/applications/receipt.html",
    "web/applications/views_draft.py",
    "web/applications/forms.py",
    "cases/templates/documents/_application_answers.html",
    "cases/templates/documents/_next_steps.html",
    "cases/templates/documents/receipt.html",
    "notifications/templates/notifications/application_submitted.txt",
    "notifications/templates/notifications/_next_steps.txt",
    "web/applications/templates/applications/application_new.html",
    # The home (issue 17): the association's items are worded in cases/selectors/home.py
    # and drawn by _rows.html; home.html also holds the council's and the staff's own
    # sections (which say »du« to the member) and the no-role notice to the person.
    "web/home/templates/home/_rows.html",
    "cases/selectors/home.py",
    # Messages on the case (issue 17): both sides read the thread.
    "web/case_messages/templates/case_messages/_thread.html",
    "web/case_messages/templates/case_messages/_message_form.html",
    "web/case_messages/templates/case_messages/message_page.html",
    "notifications/templates/notifications/message_received.txt",
    "web/applications/templates/applications/my_applications.html",
    "web/applications/templates/applications/_hearing_open.html",
    "web/applications/templates/applications/_round_facts.html",
    "web/hearings/templates/hearings/hearing_answer.html",
    "web/hearings/views.py",
    "web/after_grant/templates/after_grant/report_form.html",
    "web/after_grant/templates/after_grant/_report.html",
    "web/notifications/templates/notifications/notification_list.html",
    "web/notifications/templates/notifications/notification_detail.html",
    "web/notifications/templates/notifications/notification_preferences.html",
    "workflows/engine.py",
    "workflows/application.py",
    "workflows/after_grant.py",
    "workflows/hearing.py",
    "workflows/inputs.py",
    "cases/uploads.py",
    "cases/templates/letters/_base.html",
    "cases/templates/letters/_complaint.html",
    "cases/templates/letters/_hearing.html",
    "cases/templates/letters/_rules.html",
    "cases/templates/letters/_cited.html",
    "cases/templates/letters/decision.html",
    "cases/templates/letters/rejection.html",
    "cases/templates/letters/repayment_claim.html",
    "cases/templates/letters/report_returned.html",
    *(
        f"notifications/templates/notifications/{kind}.{ext}"
        for kind in (
            "application_submitted",
            "info_requested",
            "info_unanswered",
            "deadline_approaching",
            "draft_expiring",
            "application_accepted",
            "application_rejected",
            "decision",
            "complaint",
            "payout_registered",
            "repayment_claimed",
            "report_due",
            "report_overdue",
            "report_returned",
            "report_approved",
            "hearing_started",
            "hearing_reminder",
            "base",
            "_switch_off",
        )
        for ext in ("html", "txt", "subject.txt")
    ),
)

WORD_EDGE = r"(?<![\w-]){}(?![\w-])"
SECOND_PERSON_SINGULAR = re.compile(WORD_EDGE.format("(?:du|din|dit|dine|dig)"), re.IGNORECASE)
ENGLISH_QUOTES = re.compile(r"[“”„]|(?<![=\w])\"[^\"]+\"")
ACCENTED_IMPERATIVE = re.compile(WORD_EDGE.format(r"\w+ér"))
ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')
# Placeholders and markup are not words a reader sees: %(email)s is not »email«.
PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|%[a-z]|\{[^{}]*\}")
MARKUP = re.compile(r"<[^<>]*>")


def _unescape(text: str) -> str:
    return text.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def _catalogue(path: Path) -> list[dict[str, str]]:
    """The catalogue's entries as {keyword: text}, with the header left out."""
    entries, current, key = [], {}, ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append({k: _unescape(v) for k, v in current.items()})
            current, key = {}, ""
        elif not line.startswith("#"):
            match = ENTRY.match(line)
            if match:
                key = match[1]
                current[key] = match[2]
            elif line.startswith('"') and key:
                current[key] += line[1:-1]
    return entries


def _translations() -> list[tuple[str, str, str]]:
    """(msgctxt, msgid, msgstr as read) for every Danish text, one row per plural form."""
    rows = []
    for path in CATALOGUES:
        for entry in _catalogue(path):
            for key, text in entry.items():
                if key.startswith("msgstr") and text:
                    visible = MARKUP.sub("", PLACEHOLDER.sub("X", text))
                    rows.append((entry.get("msgctxt", ""), entry["msgid"], visible))
    return rows


def _wrong_variants() -> dict[str, str]:
    """{wrong variant: the Danish term to use} from every table in docs/glossary.md."""
    variants: dict[str, str] = {}
    in_table = False
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| English") and len(cells) == 4 and cells[2] == "Avoid":
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if in_table and len(cells) == 4 and not set(cells[0]) <= {"-"}:
            for variant in cells[2].split(","):
                variant = variant.strip()
                if variant and variant != "–":
                    variants[variant] = cells[1]
    return variants


def _msgids_in(relative: str) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of every marked text in one template or Python module."""
    source = (ROOT / relative).read_text(encoding="utf-8")
    found: set[tuple[str, str]] = set()
    if relative.endswith(".py"):
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if name in {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"} and texts:
                found.add(("", str(texts[0])))
            elif name in {"pgettext", "pgettext_lazy", "npgettext"} and len(texts) >= 2:
                found.add((str(texts[0]), str(texts[1])))
        return found
    literal = r"u?('(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\")"
    code = templatize(source)
    for match in re.finditer(rf"\b(?:n?gettext)\({literal}", code):
        found.add(("", ast.literal_eval(match[1])))
    for match in re.finditer(rf"\bn?pgettext\({literal},\s*{literal}", code):
        found.add((ast.literal_eval(match[1]), ast.literal_eval(match[2])))
    return found


def test_the_glossary_lists_wrong_variants() -> None:
    variants = _wrong_variants()
    # The rows the issue named: if the table's shape changes, the test must notice.
    assert variants["redegørelse"] == "afrapportering"
    assert variants["notifikationer"] == "meddelelse"
    assert variants["runde"] == "ansøgningsrunde"
    assert "forlader punktet" in variants and "gået videre" in variants


def test_no_danish_text_uses_a_wrong_variant() -> None:
    patterns = {
        variant: re.compile(WORD_EDGE.format(re.escape(variant).replace(r"\ ", r"\s+")), re.I)
        for variant in _wrong_variants()
    }
    offending = sorted(
        f"{msgid!r}: »{variant}« (use »{term}«)"
        for _, msgid, text in _translations()
        for variant, term in _wrong_variants().items()
        if patterns[variant].search(text)
    )
    assert offending == [], "Wrong variants in the Danish catalogues:\n" + "\n".join(offending)


def test_no_danish_text_uses_english_quotation_marks() -> None:
    offending = sorted(msgid for _, msgid, text in _translations() if ENGLISH_QUOTES.search(text))
    assert offending == [], 'Use »…« in Danish, not “…” or "…":\n' + "\n".join(offending)


def test_no_danish_text_accents_an_imperative() -> None:
    offending = sorted(
        f"{msgid!r}: {ACCENTED_IMPERATIVE.search(text)[0]}"  # type: ignore[index]
        for _, msgid, text in _translations()
        if ACCENTED_IMPERATIVE.search(text)
    )
    assert offending == [], "Write »Registrer«, not »Registrér«:\n" + "\n".join(offending)


def test_association_facing_texts_say_i_not_du() -> None:
    danish: dict[tuple[str, str], list[str]] = {}
    for context, msgid, text in _translations():
        danish.setdefault((context, msgid), []).append(text)
    offending = []
    for relative in ASSOCIATION_FACING:
        if not (ROOT / relative).exists():
            continue
        for key in sorted(_msgids_in(relative)):
            for text in danish.get(key, []):
                if SECOND_PERSON_SINGULAR.search(text):
                    offending.append(f"{relative}: {key[1]!r} → {text!r}")
    assert offending == [], "Say »I/jer/jeres« to an association:\n" + "\n".join(offending)


@pytest.mark.parametrize(
    "relative",
    [
        "web/applications/templates/applications/draft_step.html",
        "web/hearings/views.py",
        "cases/templates/letters/decision.html",
        "notifications/templates/notifications/decision.html",
    ],
)
def test_the_association_facing_sources_are_read(relative: str) -> None:
    """The »I« check above reads each kind of source (template, Python, letter, e-mail)."""
    assert relative in ASSOCIATION_FACING
    msgids = _msgids_in(relative)
    assert msgids, f"no marked text found in {relative}"


def test_the_checks_catch_what_they_are_for() -> None:
    assert SECOND_PERSON_SINGULAR.search("Har du spørgsmål?")
    assert not SECOND_PERSON_SINGULAR.search("Har I spørgsmål? Dusør, dinosaur")
    assert ENGLISH_QUOTES.search("Linjen “Husleje”") and ENGLISH_QUOTES.search('Linjen "Husleje"')
    assert not ENGLISH_QUOTES.search('Linjen »Husleje« <a href="/x">her</a>')
    assert ACCENTED_IMPERATIVE.search("Registrér afgørelsen")
    assert not ACCENTED_IMPERATIVE.search("Registrer afgørelsen, idéer")


def test_djangos_own_form_messages_speak_danish_without_du() -> None:
    """What Django itself says beside a field (a required field, a number, a date, a file,
    a choice, a length), as an association meets it: Danish, and to nobody in particular —
    never "du". (Django's password messages say "din adgangskode": they speak to the
    person about their own password, and associations sign in with NemLog-in or a
    password of their own, so that is right.)"""
    from django import forms
    from django.core import validators
    from django.utils.translation import override

    fields = (
        forms.CharField,
        forms.IntegerField,
        forms.DecimalField,
        forms.DateField,
        forms.EmailField,
        forms.URLField,
        forms.ChoiceField,
        forms.MultipleChoiceField,
        forms.ModelChoiceField,
        forms.ModelMultipleChoiceField,
        forms.TypedChoiceField,
        forms.FileField,
        forms.ImageField,
    )
    checks = (
        validators.MaxLengthValidator(1),
        validators.MinLengthValidator(1),
        validators.MaxValueValidator(1),
        validators.MinValueValidator(1),
        validators.EmailValidator(),
    )
    with override("da"):
        danish = [str(forms.Field().error_messages["required"])]
        danish += [
            str(message)
            for field in fields
            for klass in field.__mro__
            for message in getattr(klass, "default_error_messages", {}).values()
        ]
        danish += [str(v.message) for v in checks]
        danish += [str(m) for m in validators.DecimalValidator(2, 1).messages.values()]
    assert danish[0] == "Dette felt er påkrævet."
    assert len(danish) > 20
    for text in danish:
        assert not SECOND_PERSON_SINGULAR.search(text), text
        assert "Enter" not in text and "Ensure" not in text, text  # none left in English
