"""Length limits of each channel, checked on rendered text: SMS characters and segments (GSM-7
or UCS-2), email subject length, ad headline and primary text, social post length.

SMS: a single message holds 160 GSM-7 characters (3GPP TS 23.038; ^ { } \\ [ ] ~ | € take two
places each, an escape and the character) or, once any character is outside that alphabet, 70
UCS-2 units (an emoji takes two). A longer text is sent in parts of 153 or 67, as each part
carries a header; a two-place character or an emoji is never split across parts.
The other figures are the usual recommendations, not hard limits: email subjects are cut after
about 60 characters in most inboxes, ad headlines after about 40, Meta shows about 125
characters of primary text before "See more", and a post on X holds 280.
"""

from __future__ import annotations

from dataclasses import dataclass

from segtui.core.messaging_model import Channel

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[]~|€\f")
SMS_SINGLE = {"GSM-7": 160, "UCS-2": 70}
SMS_PART = {"GSM-7": 153, "UCS-2": 67}

EMAIL_SUBJECT = 60
AD_HEADLINE = 40
AD_PRIMARY_TEXT = 125
SOCIAL_POST = 280


@dataclass(frozen=True)
class Limit:
    """One length check: what was measured, its length, the limit (None: nothing to exceed),
    whether it is within it, and a note for people."""

    what: str
    length: int
    limit: int | None
    ok: bool
    note: str = ""
    segments: int | None = None  # SMS only: how many messages the text is sent as


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # "GSM-7" or "UCS-2"
    length: int  # in the encoding's units (septets or UTF-16 code units)
    segments: int
    first_outside: str  # the first character that forced UCS-2 ("" for GSM-7)


def sms_count(text: str) -> SmsCount:
    """How an SMS text is encoded and how many messages it is sent as."""
    outside = next((c for c in text if c not in GSM_BASIC and c not in GSM_EXTENDED), "")
    if outside:
        encoding = "UCS-2"
        units = [len(c.encode("utf-16-le")) // 2 for c in text]
    else:
        encoding = "GSM-7"
        units = [2 if c in GSM_EXTENDED else 1 for c in text]
    length = sum(units)
    if length <= SMS_SINGLE[encoding]:
        return SmsCount(encoding, length, 1 if length else 0, outside)
    segments, used = 1, 0
    for size in units:  # pack whole characters into parts
        if used + size > SMS_PART[encoding]:
            segments, used = segments + 1, 0
        used += size
    return SmsCount(encoding, length, segments, outside)


def _sms(subject: str, body: str) -> list[Limit]:
    count = sms_count(body)
    single = SMS_SINGLE[count.encoding]
    if count.first_outside:
        why = f"{count.first_outside!r} is not in the GSM alphabet, so a message holds {single}"
    else:
        why = f"GSM-7: a message holds {single}"
    parts = "1 message" if count.segments <= 1 else f"{count.segments} messages"
    note = f"{parts} ({why}"
    note += f", {SMS_PART[count.encoding]} per part when split)" if count.segments > 1 else ")"
    limits = [Limit("SMS text", count.length, single, count.segments <= 1, note, count.segments)]
    if subject.strip():
        limits.append(Limit("subject", len(subject), None, True, "not sent: an SMS has no subject"))
    return limits


def _within(what: str, text: str, limit: int, over: str) -> Limit:
    ok = len(text) <= limit
    return Limit(what, len(text), limit, ok, "" if ok else over)


def check_limits(channel: Channel, subject: str, body: str) -> list[Limit]:
    """The length checks of a channel for a (rendered) subject and body; [] for direct mail,
    which has none."""
    if channel == "sms":
        return _sms(subject, body)
    if channel == "email":
        if not subject.strip():
            return [Limit("subject", 0, EMAIL_SUBJECT, False, "an email needs a subject")]
        over = f"most inboxes cut subjects after about {EMAIL_SUBJECT} characters"
        return [_within("subject", subject, EMAIL_SUBJECT, over)]
    if channel == "ad":
        return [
            _within("headline", subject, AD_HEADLINE, f"ads cut headlines after ~{AD_HEADLINE}"),
            _within(
                "primary text",
                body,
                AD_PRIMARY_TEXT,
                f"Meta shows about {AD_PRIMARY_TEXT} characters before 'See more'",
            ),
        ]
    if channel == "social":
        limits = [_within("post", body, SOCIAL_POST, f"a post on X holds {SOCIAL_POST}")]
        if subject.strip():
            limits.append(
                Limit("subject", len(subject), None, True, "not posted: a post has no subject")
            )
        return limits
    return []
