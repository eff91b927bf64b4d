"""Countries for audience files: ISO 3166-1 codes, the names people type for them, and how a
phone number is written there (calling code, trunk prefix, length of the national number), plus
the US states by name.

The dialling table covers the EU, the UK, the rest of Western Europe, North America, Australia
and New Zealand and a few large markets; a country outside it is still recognised by its ISO
code, but a phone number there is only used when it already carries its +country code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from segtui.core.colnames import ascii_fold

# Every officially assigned ISO 3166-1 alpha-2 code (249), to tell a real code from two letters.
_ISO_CODES = """
    ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq
    br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm
    do dz ec ee eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs
    gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn
    kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq
    mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm
    pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv
    sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug um us uy uz va vc ve vg vi
    vn vu wf ws ye yt za zm zw
"""
ISO_ALPHA2 = frozenset(_ISO_CODES.split())


@dataclass(frozen=True)
class Dialling:
    """How a country's phone numbers are written: +<calling code><national number>, where the
    national number is dialled at home after a trunk prefix (the UK's leading 0)."""

    code: str  # ISO alpha-2, lowercase
    calling: str  # "44"
    trunk: tuple[str, ...]  # prefixes dropped after the calling code ("0"); () when none
    shortest: int  # national significant number length, without the trunk prefix
    longest: int


# code, alpha-3, calling code, trunk prefixes, national number length, names (ASCII-folded).
# Italy, Spain, Portugal, Poland... have no trunk prefix: a leading 0 there is part of the
# number and stays after the calling code.
_TABLE: tuple[tuple[str, str, str, str, int, int, str], ...] = (
    ("at", "aut", "43", "0", 4, 13, "austria|osterreich"),
    ("be", "bel", "32", "0", 8, 9, "belgium|belgie|belgique|belgien"),
    ("bg", "bgr", "359", "0", 7, 9, "bulgaria"),
    ("hr", "hrv", "385", "0", 8, 9, "croatia|hrvatska"),
    ("cy", "cyp", "357", "", 8, 8, "cyprus"),
    ("cz", "cze", "420", "", 9, 9, "czechia|czech republic|cesko|ceska republika"),
    ("dk", "dnk", "45", "", 8, 8, "denmark|danmark"),
    ("ee", "est", "372", "", 7, 8, "estonia|eesti"),
    ("fi", "fin", "358", "0", 5, 12, "finland|suomi"),
    ("fr", "fra", "33", "0", 9, 9, "france"),
    ("de", "deu", "49", "0", 6, 13, "germany|deutschland"),
    ("gr", "grc", "30", "", 10, 10, "greece|hellas|ellada"),
    ("hu", "hun", "36", "06", 8, 9, "hungary|magyarorszag"),
    ("ie", "irl", "353", "0", 7, 9, "ireland|eire|republic of ireland"),
    ("it", "ita", "39", "", 6, 11, "italy|italia"),
    ("lv", "lva", "371", "", 8, 8, "latvia|latvija"),
    ("lt", "ltu", "370", "8|0", 8, 8, "lithuania|lietuva"),
    ("lu", "lux", "352", "", 4, 11, "luxembourg|letzebuerg|luxemburg"),
    ("mt", "mlt", "356", "", 8, 8, "malta"),
    ("nl", "nld", "31", "0", 9, 9, "netherlands|nederland|holland"),
    ("pl", "pol", "48", "", 9, 9, "poland|polska"),
    ("pt", "prt", "351", "", 9, 9, "portugal"),
    ("ro", "rou", "40", "0", 9, 9, "romania"),
    ("sk", "svk", "421", "0", 9, 9, "slovakia|slovensko"),
    ("si", "svn", "386", "0", 8, 8, "slovenia|slovenija"),
    ("es", "esp", "34", "", 9, 9, "spain|espana"),
    ("se", "swe", "46", "0", 7, 9, "sweden|sverige"),
    ("gb", "gbr", "44", "0", 9, 10,
     "united kingdom|uk|u k|great britain|britain|england|scotland|wales|northern ireland"),
    ("us", "usa", "1", "1", 10, 10, "united states|united states of america|usa|u s a|u s|america"),
    ("ca", "can", "1", "1", 10, 10, "canada"),
    ("au", "aus", "61", "0", 9, 9, "australia"),
    ("nz", "nzl", "64", "0", 8, 10, "new zealand|aotearoa"),
    ("ch", "che", "41", "0", 9, 9, "switzerland|schweiz|suisse|svizzera"),
    ("no", "nor", "47", "", 8, 8, "norway|norge"),
    ("is", "isl", "354", "", 7, 7, "iceland"),
    ("li", "lie", "423", "", 7, 7, "liechtenstein"),
    ("mc", "mco", "377", "", 8, 9, "monaco"),
    ("jp", "jpn", "81", "0", 9, 10, "japan"),
    ("cn", "chn", "86", "0", 10, 11, "china"),
    ("in", "ind", "91", "0", 10, 10, "india"),
    ("br", "bra", "55", "0", 10, 11, "brazil|brasil"),
    ("mx", "mex", "52", "", 10, 10, "mexico"),
    ("za", "zaf", "27", "0", 9, 9, "south africa"),
    ("sg", "sgp", "65", "", 8, 8, "singapore"),
    ("hk", "hkg", "852", "", 8, 8, "hong kong"),
    ("ae", "are", "971", "0", 8, 9, "united arab emirates|uae"),
    ("tr", "tur", "90", "0", 10, 10, "turkey|turkiye"),
    ("il", "isr", "972", "0", 8, 9, "israel"),
    ("kr", "kor", "82", "0", 8, 10, "south korea|korea|republic of korea"),
    ("ru", "rus", "7", "8", 10, 10, "russia|russian federation"),
    ("ua", "ukr", "380", "0", 9, 9, "ukraine"),
    ("rs", "srb", "381", "0", 8, 9, "serbia"),
)  # fmt: skip

# English names (and common other spellings) of the countries outside the dialling table.
_OTHER_NAMES = """
ad andorra; af afghanistan; ag antigua and barbuda; ai anguilla; al albania; am armenia;
ao angola; aq antarctica; ar argentina; as american samoa; aw aruba; ax aland islands;
az azerbaijan; ba bosnia and herzegovina|bosnia; bb barbados; bd bangladesh; bf burkina faso;
bh bahrain; bi burundi; bj benin; bl saint barthelemy; bm bermuda; bn brunei|brunei darussalam;
bo bolivia; bq bonaire|caribbean netherlands; bs bahamas; bt bhutan; bv bouvet island;
bw botswana; by belarus; bz belize; cc cocos islands|cocos keeling islands;
cd democratic republic of the congo|dr congo|congo kinshasa; cf central african republic;
cg republic of the congo|congo|congo brazzaville; ci cote d ivoire|ivory coast;
ck cook islands; cl chile; cm cameroon; co colombia; cr costa rica; cu cuba;
cv cape verde|cabo verde;
cw curacao; cx christmas island; dj djibouti; dm dominica; do dominican republic; dz algeria;
ec ecuador; eg egypt; eh western sahara; er eritrea; et ethiopia; fj fiji;
fk falkland islands; fm micronesia; fo faroe islands; ga gabon; gd grenada; ge georgia;
gf french guiana; gg guernsey; gh ghana; gi gibraltar; gl greenland; gm gambia|the gambia;
gn guinea; gp guadeloupe; gq equatorial guinea; gs south georgia and the south sandwich islands;
gt guatemala; gu guam; gw guinea bissau; gy guyana; hm heard island and mcdonald islands;
hn honduras; ht haiti; id indonesia; im isle of man; io british indian ocean territory;
iq iraq; ir iran; je jersey; jm jamaica; jo jordan; ke kenya; kg kyrgyzstan; kh cambodia;
ki kiribati; km comoros; kn saint kitts and nevis; kp north korea; kw kuwait;
ky cayman islands; kz kazakhstan; la laos; lb lebanon; lc saint lucia; lk sri lanka;
lr liberia; ls lesotho; ly libya; ma morocco; md moldova; me montenegro; mf saint martin;
mg madagascar; mh marshall islands; mk north macedonia|macedonia; ml mali; mm myanmar|burma;
mn mongolia; mo macau|macao; mp northern mariana islands; mq martinique; mr mauritania;
ms montserrat; mu mauritius; mv maldives; mw malawi; my malaysia; mz mozambique; na namibia;
nc new caledonia; ne niger; nf norfolk island; ng nigeria; ni nicaragua; np nepal; nr nauru;
nu niue; om oman; pa panama; pe peru; pf french polynesia; pg papua new guinea;
ph philippines; pk pakistan; pm saint pierre and miquelon; pn pitcairn; pr puerto rico;
ps palestine; pw palau; py paraguay; qa qatar; re reunion; rw rwanda; sa saudi arabia;
sb solomon islands; sc seychelles; sd sudan; sh saint helena; sj svalbard and jan mayen;
sl sierra leone; sm san marino; sn senegal; so somalia; sr suriname; ss south sudan;
st sao tome and principe; sv el salvador; sx sint maarten; sy syria; sz eswatini|swaziland;
tc turks and caicos islands; td chad; tf french southern territories; tg togo; th thailand;
tj tajikistan; tk tokelau; tl timor leste|east timor; tm turkmenistan; tn tunisia; to tonga;
tt trinidad and tobago; tv tuvalu; tw taiwan; tz tanzania; ug uganda;
um united states minor outlying islands; uy uruguay; uz uzbekistan; va vatican city|holy see;
vc saint vincent and the grenadines; ve venezuela; vg british virgin islands;
vi us virgin islands|united states virgin islands; vn vietnam|viet nam; vu vanuatu;
wf wallis and futuna; ws samoa; ye yemen; yt mayotte; zm zambia; zw zimbabwe
"""

DIALLING: dict[str, Dialling] = {
    code: Dialling(code, calling, tuple(t for t in trunk.split("|") if t), shortest, longest)
    for code, _, calling, trunk, shortest, longest, _ in _TABLE
}
# Calling codes of countries whose trunk prefix is 0: a 0 kept after them ("+44 (0)20...",
# "+44 020...") is never dialled from abroad. (North America's trunk is 1, Italy has none.)
ZERO_TRUNK_CALLING = frozenset(d.calling for d in DIALLING.values() if "0" in d.trunk)
_BY_NAME: dict[str, str] = {
    **{
        name: code
        for code, rest in (entry.strip().split(" ", 1) for entry in _OTHER_NAMES.split(";"))
        for name in rest.split("|")
    },
    **{name: code for code, _, _, _, _, _, names in _TABLE for name in names.split("|")},
}
_BY_ALPHA3: dict[str, str] = {alpha3: code for code, alpha3, *_ in _TABLE}
_NOT_LETTERS = re.compile(r"[^a-z0-9]+")


def name_key(text: str) -> str:
    """A place name for lookups: accents folded, lowercase, words only ("&" as "and", "St" as
    "saint", a leading "the" dropped)."""
    spaced = re.sub(r"[^\w]+", " ", text.replace("&", " and "))
    key = _NOT_LETTERS.sub(" ", ascii_fold(spaced).lower()).strip()
    key = key[4:] if key.startswith("the ") else key
    return "saint " + key[3:] if key.startswith("st ") else key


def country_code(value: object) -> str | None:
    """The ISO 3166-1 alpha-2 code (lowercase) for a country as people write it: a name from
    the table ("United Kingdom", "Deutschland"), an alpha-2 code ("FR", and "UK" for gb) or an
    alpha-3 code from the table ("GBR"); None when it cannot be told."""
    if value is None:
        return None
    key = name_key(str(value))
    if not key:
        return None
    if key in _BY_NAME:
        return _BY_NAME[key]
    squashed = key.replace(" ", "")
    if len(squashed) == 2 and squashed in ISO_ALPHA2:
        return squashed
    return _BY_ALPHA3.get(squashed)


US_STATES: dict[str, str] = {
    "alabama": "al", "alaska": "ak", "arizona": "az", "arkansas": "ar", "california": "ca",
    "colorado": "co", "connecticut": "ct", "delaware": "de", "district of columbia": "dc",
    "florida": "fl", "georgia": "ga", "hawaii": "hi", "idaho": "id", "illinois": "il",
    "indiana": "in", "iowa": "ia", "kansas": "ks", "kentucky": "ky", "louisiana": "la",
    "maine": "me", "maryland": "md", "massachusetts": "ma", "michigan": "mi",
    "minnesota": "mn", "mississippi": "ms", "missouri": "mo", "montana": "mt",
    "nebraska": "ne", "nevada": "nv", "new hampshire": "nh", "new jersey": "nj",
    "new mexico": "nm", "new york": "ny", "north carolina": "nc", "north dakota": "nd",
    "ohio": "oh", "oklahoma": "ok", "oregon": "or", "pennsylvania": "pa", "rhode island": "ri",
    "south carolina": "sc", "south dakota": "sd", "tennessee": "tn", "texas": "tx",
    "utah": "ut", "vermont": "vt", "virginia": "va", "washington": "wa",
    "west virginia": "wv", "wisconsin": "wi", "wyoming": "wy", "puerto rico": "pr",
}  # fmt: skip
US_STATE_CODES = frozenset(US_STATES.values())
