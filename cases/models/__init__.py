"""The § 18 domain, one module per concept; everything is importable from ``cases.models``.

Every domain model keeps a version row per change (django-simple-history) and
refuses the bulk write paths that history cannot see (see ``cases/trail/history.py``).
No code here assigns ``Application.status``: only ``workflows/`` does."""

# Requests for access to documents (issue 16, item 8).
from cases.models.access_requests import (
    AccessDecision,
    AccessRequest,
    AccessScope,
    AccessStatus,
    RequesterKind,
)
from cases.models.after_grant import (
    CarryOver,
    Payout,
    RepaymentClaim,
    ReportAttachment,
    ReportAttachmentKind,
    ReportRequirement,
    ReportTier,
    UsageReport,
    UsageReportLine,
    UsageReportStatus,
    report_attachment_path,
)
from cases.models.applications import (
    FLOW_ORDER,
    Application,
    ApplicationStatus,
    Attachment,
    BudgetLine,
    CaseNumberCounter,
    RecommendationOutcome,
    StatusGroup,
    attachment_path,
)
from cases.models.common import MONEY, history

# Issue 20: the public directory of associations.
from cases.models.directory import DirectoryEntry, DirectoryFocusArea
from cases.models.documents import (
    ComplaintGuidance,
    Document,
    DocumentKind,
    default_complaint_text,
    document_path,
)
from cases.models.exports import ExportState, RoundExport, round_export_path
from cases.models.feedback import (
    MIN_ANSWERS,
    Ease,
    Feedback,
    FeedbackSummary,
    TimeSpent,
    UnclearPart,
)
from cases.models.handover import (
    Handover,
    HandoverObject,
    HandoverStatus,
    PaymentRun,
    PaymentRunItem,
)
from cases.models.hearings import (
    COMPLETED as HEARING_COMPLETED,
)
from cases.models.hearings import (
    Hearing,
    HearingAttachment,
    HearingGround,
    HearingOutcome,
)
from cases.models.meetings import (
    AgendaItem,
    Assessment,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    CriterionAssessment,
    CriterionVerdict,
    Meeting,
)
from cases.models.messages import CaseMessage, SentAs
from cases.models.municipalities import (
    Association,
    AssociationMember,
    Municipality,
    PublicationVersion,
    Role,
    StaffRole,
)
from cases.models.notes import (
    APPLICANT_CHANNELS,
    AppendOnlyRowError,
    FileNote,
    NoteConcerns,
    ReceivedDocument,
    ReceivedVia,
)
from cases.models.retention import RetentionRun
from cases.models.rounds import (
    AttachmentKind,
    CriteriaScoring,
    FocusArea,
    GrantRound,
    RoundCondition,
    RoundCriterion,
    Scheme,
    TargetGroup,
    TargetGroupCode,
    default_required_attachments,
)
from cases.models.uploads import StoredUpload
from cases.trail.models import TransitionRecord

__all__ = [
    "APPLICANT_CHANNELS",
    "FLOW_ORDER",
    "HEARING_COMPLETED",
    "MIN_ANSWERS",
    "MONEY",
    "AccessDecision",
    "AccessRequest",
    "AccessScope",
    "AccessStatus",
    "AgendaItem",
    "AppendOnlyRowError",
    "Application",
    "ApplicationStatus",
    "Assessment",
    "Association",
    "AssociationMember",
    "Attachment",
    "AttachmentKind",
    "Body",
    "BudgetLine",
    "CarryOver",
    "CaseMessage",
    "CaseNumberCounter",
    "ComplaintGuidance",
    "ConflictDeclaration",
    "ConflictRuling",
    "ConflictSource",
    "CriteriaScoring",
    "CriterionAssessment",
    "CriterionVerdict",
    "DirectoryEntry",
    "DirectoryFocusArea",
    "Document",
    "DocumentKind",
    "Ease",
    "ExportState",
    "Feedback",
    "FeedbackSummary",
    "FileNote",
    "FocusArea",
    "GrantRound",
    "Handover",
    "HandoverObject",
    "HandoverStatus",
    "Hearing",
    "HearingAttachment",
    "HearingGround",
    "HearingOutcome",
    "Meeting",
    "Municipality",
    "NoteConcerns",
    "PaymentRun",
    "PaymentRunItem",
    "Payout",
    "PublicationVersion",
    "ReceivedDocument",
    "ReceivedVia",
    "RecommendationOutcome",
    "RepaymentClaim",
    "ReportAttachment",
    "ReportAttachmentKind",
    "ReportRequirement",
    "ReportTier",
    "RequesterKind",
    "RetentionRun",
    "Role",
    "RoundCondition",
    "RoundCriterion",
    "RoundExport",
    "Scheme",
    "SentAs",
    "StaffRole",
    "StatusGroup",
    "StoredUpload",
    "TargetGroup",
    "TargetGroupCode",
    "TimeSpent",
    "TransitionRecord",
    "UnclearPart",
    "UsageReport",
    "UsageReportLine",
    "UsageReportStatus",
    "attachment_path",
    "default_complaint_text",
    "default_required_attachments",
    "document_path",
    "history",
    "report_attachment_path",
    "round_export_path",
]
