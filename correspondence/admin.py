from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ChangesPages
from optouts.models import OptOutRequest

from . import letters
from .models import (
    Attachment,
    CaseExport,
    Correspondence,
    IncomingMail,
    Letter,
    LetterTemplate,
    OutgoingMail,
)
from .placeholders import PLACEHOLDERS, placeholders_check


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "key", "recipient", "office", "is_active", "updated_at"]
    list_filter = ["recipient", "is_active"]
    search_fields = ["name", "subject", "body"]
    readonly_fields = ["preview", "placeholders"]
    fields = [
        "key",
        "name",
        "recipient",
        "office",
        "subject",
        "body",
        "cc",
        "is_active",
        "preview",
        "placeholders",
    ]

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj.pk:
            return "Save the template to preview it."
        url = reverse("admin:correspondence_lettertemplate_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview the saved template as a PDF</a> '
            "(with the newest case; add ?case=ID for another).",
            url,
        )

    @admin.display(description="Placeholders you can use")
    def placeholders(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>{{{{ {} }}}}</code> — {}</li>",
                ((name, label) for name, (label, _) in PLACEHOLDERS.items()),
            ),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="correspondence_lettertemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        template = LetterTemplate.objects.filter(pk=pk).first()
        if template is None:
            raise Http404("No such template.")
        cases = OptOutRequest.objects.select_related("jurisdiction__state")
        case_id = request.GET.get("case", "")
        case = (
            cases.filter(pk=case_id).first() if case_id.isdigit() else cases.order_by("-id").first()
        )
        if case is None:
            messages.error(request, "A preview needs at least one case.")
            return redirect(reverse("admin:correspondence_lettertemplate_change", args=[pk]))
        content = letters.letter_template_preview_pdf(template=template, case=case)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="preview-{template.key}.pdf"'
        return response


class LetterAdminForm(forms.ModelForm):
    """
    A letter's text takes the placeholders of the fixed list and nothing
    else, as on the letter's own page: a refused one is said at its field,
    before anything is saved. (The admin gives the model and its fields.)
    """

    def clean(self):
        cleaned = super().clean()
        for field in ("subject", "body", "cc"):
            if field in cleaned:
                try:
                    placeholders_check(cleaned[field])
                except ValidationError as exc:
                    self.add_error(field, exc.messages)
        if "body" in cleaned and not (cleaned["body"] or "").strip():
            self.add_error("body", "A letter needs its text.")
        return cleaned


@admin.register(Letter)
class LetterAdmin(ChangesPages, SimpleHistoryAdmin):
    form = LetterAdminForm
    page_kinds = ("letters",)
    list_display = ["subject", "request", "recipient_name", "status", "letter_date", "sent_on"]
    list_filter = ["status", "recipient"]
    list_select_related = ["request__jurisdiction__state"]
    search_fields = ["subject", "recipient_name", "request__jurisdiction__name"]
    raw_id_fields = ["request", "delivery"]
    readonly_fields = [
        "status",
        "sha256",
        "pdf",
        "sent_on",
        "sent_at",
        "sent_by",
        "method",
        "delivery",
    ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            letters.letter_draft_update(
                letter_id=obj.pk,
                user=request.user,
                **{f: getattr(obj, f) for f in letters.EDITABLE_FIELDS},
            )
        else:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "kind", "size", "sha256"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Correspondence)
class CorrespondenceAdmin(ChangesPages, SimpleHistoryAdmin):
    page_kinds = ("letters",)
    list_display = [
        "occurred_on",
        "request",
        "direction",
        "method",
        "sender",
        "recipient",
        "is_public",
    ]
    list_filter = ["direction", "method", "is_public"]
    list_select_related = ["request__jurisdiction__state"]
    raw_id_fields = ["request", "recorded_by"]
    inlines = [AttachmentInline]


@admin.register(CaseExport)
class CaseExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "request", "kind", "include_private", "status", "progress"]
    list_filter = ["kind", "status", "include_private"]
    list_select_related = ["request__jurisdiction__state"]
    readonly_fields = [f.name for f in CaseExport._meta.fields]

    def has_add_permission(self, request):
        return False


class HoldingPenActionForm(admin.helpers.ActionForm):
    case = forms.IntegerField(
        label="Case number", required=False, help_text="For “File on case …”: the request's number."
    )


@admin.register(IncomingMail)
class IncomingMailAdmin(admin.ModelAdmin):
    """
    The holding pen: every received email, those held first, with why. An
    admin files a held one on its case or discards it; the .eml stays.
    """

    list_display = ["received_at", "status", "reason", "from_header", "subject", "request", "size"]
    list_filter = ["status", "reason", "source"]
    search_fields = ["subject", "from_header", "to_header", "message_id"]
    list_select_related = ["request__jurisdiction"]
    # The .eml is kept privately, with no URL of its own: "original" links to the view serving it.
    exclude = ["eml"]
    readonly_fields = [f.name for f in IncomingMail._meta.fields if f.name != "eml"] + ["original"]
    action_form = HoldingPenActionForm
    actions = ["file_on_case", "discard"]

    @admin.display(description="original message")
    def original(self, obj):
        return format_html('<a href="{}">Download the .eml</a>', obj.get_absolute_url())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="File on case … (give its number below)")
    def file_on_case(self, request, queryset):
        from .mail.inbound import held_mail_assign

        case_id = request.POST.get("case") or ""
        if not case_id.isdigit() or not OptOutRequest.objects.filter(pk=case_id).exists():
            self.message_user(request, "Give the number of an existing case.", messages.ERROR)
            return
        filed = 0
        for row in queryset.filter(status=IncomingMail.Status.HELD):
            held_mail_assign(incoming_id=row.pk, case_id=int(case_id), user=request.user)
            filed += 1
        self.message_user(request, f"{filed} email(s) filed on case #{case_id}.")

    @admin.action(description="Discard (keep the .eml, file nowhere)")
    def discard(self, request, queryset):
        from .mail.inbound import held_mail_discard

        rows = list(queryset.filter(status=IncomingMail.Status.HELD).values_list("pk", flat=True))
        for pk in rows:
            held_mail_discard(incoming_id=pk, user=request.user)
        self.message_user(request, f"{len(rows)} email(s) discarded.")


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """Letters sent by email: read-only proof of what went, to whom, and when."""

    list_display = ["created_at", "status", "to", "subject", "request", "sent_at", "attempts"]
    list_filter = ["status"]
    search_fields = ["to", "subject", "message_id"]
    list_select_related = ["request__jurisdiction"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
