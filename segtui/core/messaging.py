"""Messaging: per-segment drafts, their merge fields, channel limits and their storage.

The pieces live in smaller modules and are re-exported here, so callers import one name:
messaging_model.py (Draft, Variant, Offer and their JSON), messaging_store.py (drafts in the
project file, with their history), merge.py (sandboxed merge-field rendering),
messaging_preview.py (previews on real members) and channel_limits.py (SMS segments, subject
and headline lengths). Suggestions from the playbook are in playbook.py. jinja2 is imported
only when a template is parsed, never at start-up.
"""

from __future__ import annotations

from segtui.core.channel_limits import Limit, SmsCount, check_limits, sms_count
from segtui.core.merge import (
    OFFER_FIELDS,
    SEGMENT_FIELDS,
    check_template,
    render,
    render_checked,
)
from segtui.core.messaging_model import (
    CHANNELS,
    DISCOUNT_KINDS,
    GOALS,
    HOLDOUT_MAX,
    Channel,
    DiscountKind,
    Draft,
    Goal,
    MessagingError,
    Offer,
    Variant,
    discount_text,
    next_variant_name,
    parse_discount,
)
from segtui.core.messaging_preview import (
    Rendered,
    draft_problems,
    fields_used,
    member_context,
    merge_fields,
    offer_fields,
    preview,
    preview_members,
    segment_fields,
    template_places,
)
from segtui.core.messaging_store import (
    delete_draft,
    draft_history,
    drafts,
    move_drafts,
    save_draft,
    segments_with_drafts,
)

__all__ = [
    "CHANNELS",
    "DISCOUNT_KINDS",
    "GOALS",
    "HOLDOUT_MAX",
    "OFFER_FIELDS",
    "SEGMENT_FIELDS",
    "Channel",
    "DiscountKind",
    "Draft",
    "Goal",
    "Limit",
    "MessagingError",
    "Offer",
    "Rendered",
    "SmsCount",
    "Variant",
    "check_limits",
    "check_template",
    "delete_draft",
    "discount_text",
    "draft_history",
    "draft_problems",
    "drafts",
    "fields_used",
    "member_context",
    "merge_fields",
    "move_drafts",
    "next_variant_name",
    "offer_fields",
    "parse_discount",
    "preview",
    "preview_members",
    "render",
    "render_checked",
    "save_draft",
    "segment_fields",
    "segments_with_drafts",
    "sms_count",
    "template_places",
]
