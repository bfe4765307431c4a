from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from cases.services.retention import case_anonymised
        from cases.trail.timeline import register_event_source
        from notifications.retention import anonymise_notifications
        from notifications.timeline import notification_events

        # The domain does not import notifications: it announces, and this app answers.
        register_event_source("notification", notification_events)
        case_anonymised.connect(anonymise_notifications, dispatch_uid="notifications.retention")
        from cases.services.retention_schedule import draft_deleting
        from notifications.retention import let_go_of_draft

        draft_deleting.connect(let_go_of_draft, dispatch_uid="notifications.retention.drafts")
        from cases.services.case_messages import message_sent
        from notifications.case_messages import tell_other_side

        message_sent.connect(tell_other_side, dispatch_uid="notifications.case_messages")
        # Issue 20, voice: the yearly summary of the questionnaire, one row per association
        # (the invitation is a reminder rule, reminders/rules/feedback.py).
        from cases.services.feedback import summary_sent
        from notifications.feedback import send_summary

        summary_sent.connect(send_summary, dispatch_uid="notifications.feedback.summary")
