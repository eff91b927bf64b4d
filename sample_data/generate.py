"""Generate the demo data: a synthetic retailer's customers and three years of orders.

    python sample_data/generate.py [--customers 5000] [--orders 60000] [--seed 7] [--out DIR]

Everything comes from one seeded ``numpy.random.default_rng`` and is vectorised, so the files are
the same on every machine and 100k customers / 1M orders take a few seconds. Customers belong to
hidden behavioural groups (see ``GROUPS``) that RFM, rules and clustering should all rediscover;
``--truth`` also writes ``truth.csv`` with each customer's planted group, for checking that.
"""

from __future__ import annotations

import argparse
import re
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

END = date(2026, 9, 30)  # last day of the order history
START = date(2023, 10, 1)  # three years before it
DAYS = (END - START).days + 1
NEW_WINDOW = 90  # "new" customers first bought in the last this-many days
RETURN_SHARE = 0.03  # share of order rows that are returns (negative amount and quantity)

# The hidden groups: name -> share of customers. Order counts of loyal, bargain and regular
# customers stretch so that the total number of orders hits the requested figure; the others
# have fixed, small counts, so most customers buy once or twice, as in real retail.
GROUPS = {
    "loyal": 0.05,  # frequent, high order value, recent
    "bargain": 0.09,  # frequent, low order value, nearly always discounted, in the sales
    "regular": 0.15,  # moderate; some of them drifting away
    "seasonal": 0.07,  # buy gifts in November and December
    "lapsed": 0.12,  # bought in the first year only
    "new": 0.06,  # signed up and first bought in the last 90 days
    "oneoff": 0.39,  # one or two orders
    "none": 0.07,  # registered, never ordered
}
G = {name: i for i, name in enumerate(GROUPS)}
ELASTIC = ("loyal", "bargain", "regular")

CATEGORIES = ["Apparel", "Footwear", "Outdoor", "Home", "Beauty", "Electronics", "Kids", "Gifts"]
PRICE_FACTOR = [1.0, 1.5, 1.6, 1.2, 0.55, 2.4, 0.75, 0.85]
RETURN_RATE = [2.0, 2.5, 0.8, 0.6, 0.3, 1.2, 0.9, 0.4]  # relative chance an order comes back
INCOME_BANDS = ["<25k", "25-50k", "50-75k", "75-100k", "100k+"]
LIFESTYLES = ["family", "professional", "couple", "student", "retired"]
GENDERS = ["F", "M", "X", None]
CITY_TYPES = ["urban", "suburban", "rural"]
ORDER_CHANNELS = ["web", "app", "store", "marketplace"]
CONTACT_CHANNELS = ["email", "sms", "social", "none"]
INTERESTS = [
    "outdoors", "cooking", "fitness", "fashion", "tech", "gaming",
    "travel", "gardening", "beauty", "parenting", "pets", "reading",
]  # fmt: skip
COUNTRIES = {
    "United Kingdom": (
        0.86,
        "London:15 South East:14 North West:11 East of England:9 "
        "West Midlands:9 South West:8 Yorkshire and the Humber:8 Scotland:8 "
        "East Midlands:7 Wales:5 North East:4 Northern Ireland:3",
    ),
    "Ireland": (0.05, "Leinster:55 Munster:27 Connacht:11 Ulster:7"),
    "France": (
        0.035,
        "Île-de-France:30 Auvergne-Rhône-Alpes:20 Occitanie:15 "
        "Nouvelle-Aquitaine:15 Hauts-de-France:10 Provence-Alpes-Côte d'Azur:10",
    ),
    "Germany": (
        0.03,
        "Nordrhein-Westfalen:30 Bayern:25 Baden-Württemberg:20 Berlin:10 Hessen:10 Hamburg:5",
    ),
    "Netherlands": (
        0.025,
        "Noord-Holland:30 Zuid-Holland:30 Utrecht:15 Noord-Brabant:15 Gelderland:10",
    ),
}

# Per-group distributions; rows follow GROUPS, columns the lists above.
# fmt: off
AGE = [(46, 10), (33, 8), (41, 12), (54, 12), (44, 14), (28, 7), (39, 14), (37, 13)]
UNIT_PRICE = [55, 16, 38, 42, 35, 40, 34, 34]  # median unit price before category and discount
DISCOUNT = [0.10, 0.82, 0.28, 0.35, 0.30, 0.45, 0.38, 0.38]
EXTRA_QTY = [0.6, 1.1, 0.35, 0.5, 0.3, 0.3, 0.3, 0.3]  # quantity = 1 + Poisson(this)
OPT_IN = [0.85, 0.75, 0.65, 0.60, 0.35, 0.70, 0.45, 0.50]
INCOME_P = [[.03, .12, .25, .30, .30], [.35, .40, .18, .05, .02], [.12, .30, .30, .18, .10],
            [.08, .25, .32, .22, .13], [.15, .32, .28, .15, .10], [.40, .30, .17, .08, .05],
            [.18, .32, .27, .14, .09], [.20, .30, .26, .14, .10]]
LIFESTYLE_P = [[.30, .55, .15, 0, 0], [.60, .15, .25, 0, 0], [.40, .35, .25, 0, 0],
               [.45, .20, .35, 0, 0], [.40, .30, .30, 0, 0], [.20, .45, .35, 0, 0],
               [.40, .30, .30, 0, 0], [.35, .35, .30, 0, 0]]
GENDER_P = [[.45, .50, .02, .03], [.64, .31, .02, .03], [.52, .43, .02, .03], [.58, .37, .02, .03],
            [.50, .45, .02, .03], [.50, .44, .04, .02], [.52, .43, .02, .03], [.52, .43, .02, .03]]
CITY_P = [[.55, .35, .10], [.35, .45, .20], [.40, .42, .18], [.20, .45, .35], [.35, .40, .25],
          [.60, .30, .10], [.38, .42, .20], [.40, .40, .20]]
ORDER_CHANNEL_P = [[.35, .40, .20, .05], [.35, .20, .10, .35], [.45, .25, .22, .08],
                   [.40, .05, .45, .10], [.50, .05, .30, .15], [.30, .55, .05, .10],
                   [.45, .15, .20, .20], [.40, .25, .20, .15]]
CONTACT_P = [[.60, .20, .12, .08], [.30, .25, .35, .10], [.45, .20, .20, .15], [.60, .10, .10, .20],
             [.35, .10, .10, .45], [.20, .20, .50, .10], [.35, .15, .20, .30], [.40, .10, .20, .30]]
CATEGORY_P = [[.25, .15, .20, .15, .05, .12, .03, .05], [.30, .10, .05, .15, .20, .03, .15, .02],
              [.25, .12, .10, .15, .12, .08, .10, .08], [.05, .02, .01, .08, .12, .12, .15, .45],
              [.25, .12, .10, .15, .12, .08, .10, .08], [.30, .15, .05, .10, .20, .10, .05, .05],
              [.25, .12, .10, .15, .12, .08, .10, .08], [.25, .12, .10, .15, .12, .08, .10, .08]]
INTEREST_P = [[.45, .20, .35, .35, .35, .10, .45, .15, .10, .10, .20, .20],
              [.10, .30, .15, .30, .10, .20, .08, .10, .40, .45, .25, .10],
              [.20, .25, .20, .25, .20, .15, .20, .15, .20, .20, .20, .20],
              [.10, .35, .05, .10, .10, .05, .20, .40, .15, .15, .25, .45],
              [.15, .20, .15, .20, .15, .10, .15, .20, .15, .15, .20, .20],
              [.15, .15, .35, .45, .30, .40, .25, .02, .35, .05, .10, .10],
              [.15, .20, .15, .20, .15, .15, .15, .15, .15, .15, .20, .15],
              [.12, .15, .12, .15, .12, .12, .12, .12, .12, .12, .15, .12]]
# fmt: on
# How much each interest raises the chance of buying a category (1.0 = twice as likely).
INTEREST_BOOST = {
    "outdoors": {"Outdoor": 1.0, "Footwear": 0.5},
    "cooking": {"Home": 1.0},
    "fitness": {"Footwear": 0.8, "Outdoor": 0.5, "Apparel": 0.3},
    "fashion": {"Apparel": 1.0, "Footwear": 0.6, "Beauty": 0.3},
    "tech": {"Electronics": 1.2},
    "gaming": {"Electronics": 1.0},
    "travel": {"Outdoor": 0.5, "Apparel": 0.3},
    "gardening": {"Home": 0.8, "Outdoor": 0.4},
    "beauty": {"Beauty": 1.2},
    "parenting": {"Kids": 1.5},
    "pets": {"Home": 0.4, "Gifts": 0.2},
    "reading": {"Gifts": 0.6, "Home": 0.2},
}

FEMALE = """Olivia, Amelia, Isla, Ava, Mia, Ivy, Lily, Isabella, Rosie, Sophia, Grace, Freya,
Willow, Florence, Emily, Ella, Poppy, Evie, Elsie, Charlotte, Evelyn, Sienna, Daisy, Matilda,
Phoebe, Sophie, Alice, Harper, Ruby, Emilia, Jessica, Hannah, Lucy, Sarah, Emma, Laura, Rebecca,
Rachel, Charlotte, Katie, Amy, Lauren, Chloe, Megan, Holly, Bethany, Zoë, Chloé, Niamh, Aoife,
Siobhán, Ciara, Róisín, Orla, Karen, Susan, Helen, Julie, Claire, Nicola, Joanne, Lisa, Angela,
Tracey, Michelle, Deborah, Jacqueline, Margaret, Patricia, Linda, Barbara, Elizabeth, Jennifer,
Mary, Anne, Catherine, Victoria, Samantha, Natalie, Gemma, Kirsty, Leanne, Stacey, Danielle,
Priya, Aisha, Fatima, Zainab, Ananya, Mei, Yasmin, Amira, Maryam, Nadia, Léa, Camille, Manon,
Inès, Renée, Hélène, Sophie, Marie, Anna, Lena, Hannah, Lea, Johanna, Katharina, Sanne, Femke,
Lotte, Anouk, Iris, Fleur, Esther, Eva, Noor, Maja, Clara, Heidi, Ingrid, Monique, Brigitte"""
MALE = """Oliver, George, Noah, Arthur, Harry, Leo, Muhammad, Jack, Charlie, Oscar, Jacob, Henry,
Thomas, Freddie, Alfie, Theo, William, Theodore, Archie, Joshua, Alexander, James, Isaac, Edward,
Lucas, Tommy, Finley, Max, Logan, Ethan, Mason, Daniel, Samuel, Joseph, Benjamin, David, Michael,
Christopher, Matthew, Andrew, Richard, Paul, Mark, Stephen, Robert, Peter, John, Anthony, Simon,
Gary, Ian, Neil, Steven, Craig, Darren, Lee, Jason, Martin, Kevin, Graham, Colin, Keith, Brian,
Alan, Trevor, Nigel, Philip, Adam, Ryan, Liam, Connor, Callum, Kieran, Jamie, Nathan, Luke,
Seán, Oisín, Cian, Darragh, Eoin, Ciarán, Pádraig, Declan, Raj, Arjun, Omar, Ali, Hamza, Ibrahim,
Yusuf, Wei, Hugo, Louis, Jules, Gabriel, Léo, Raphaël, Mathis, Antoine, Nicolas, François, Lukas,
Jonas, Felix, Paul, Maximilian, Leon, Jürgen, Stefan, Tobias, Sven, Daan, Sem, Bram, Thijs,
Jeroen, Pieter, Ruben, Sander, Jan, Kees, Willem"""
SURNAMES = """Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Patel, Robinson,
Wright, Thompson, Evans, Walker, White, Roberts, Green, Hall, Thomas, Clarke, Jackson, Wood,
Harris, Edwards, Turner, Martin, Cooper, Hill, Ward, Hughes, Moore, Clark, King, Harrison, Lewis,
Baker, Lee, Allen, Morris, Khan, Scott, Watson, Davis, Parker, James, Bennett, Young, Phillips,
Richardson, Mitchell, Bailey, Carter, Cook, Singh, Shaw, Bell, Collins, Morgan, Kelly, Begum,
Miller, Cox, Hussain, Marshall, Simpson, Price, Anderson, Adams, Wilkinson, Ali, Ahmed, Foster,
Ellis, Murphy, Chapman, Mason, Gray, Richards, Webb, Griffiths, Hunt, Palmer, Campbell, Holmes,
Mills, Rogers, Barnes, Knight, Matthews, Barker, Powell, Stevens, Kaur, Fisher, Butler, Dixon,
Russell, Harvey, Pearson, Graham, Fletcher, Howard, Reid, Gibson, Stewart, Ferguson, MacDonald,
McLean, Fraser, Hamilton, Murray, Robertson, Henderson, Hughes-Jones, Smith-Jones, Lloyd,
Llewellyn, Pritchard, Owen, Rees, Jenkins, Price-Evans, O'Brien, O'Connor, O'Neill, O'Sullivan,
Byrne, Ryan, Walsh, Doyle, McCarthy, Gallagher, Kennedy, Lynch, Quinn, Brennan, Fitzgerald,
Nolan, Chen, Wang, Li, Zhang, Nguyen, Kim, Okafor, Adeyemi, Mensah, Osei, Mahmood, Rahman,
Choudhury, Sharma, Gupta, Kowalski, Nowak, Wiśniewski, Silva, Santos, Ferreira, Rossi, Russo,
Bianchi, García, Fernández, López, Martínez, Dubois, Durand, Lefèvre, Moreau, Laurent, Bernard,
Petit, Roux, Fontaine, Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker,
Schulz, Hoffmann, Koch, Schäfer, de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker,
Visser, Smit, Meijer, de Boer, Mulder, Bos, Vos, Peters, Hendriks"""


def _names(text: str) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in text.split(",")))


def _zipf(rng: np.random.Generator, n_items: int, size: int) -> np.ndarray:
    """Indexes into a list with a few common and many rare items, like real names."""
    weights = 1.0 / (np.arange(n_items) + 8.0)
    return rng.choice(n_items, size=size, p=weights / weights.sum())


def _pick(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per element of ``rows`` from the distribution in row ``rows[i]`` of ``probs``."""
    cum = np.cumsum(np.asarray(probs, dtype=float), axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(rows))
    return (cum[rows] < u[:, None]).sum(axis=1).clip(max=cum.shape[1] - 1)


def _day_profiles() -> dict[str, np.ndarray]:
    """Relative chance of an order on each day, for ordinary, bargain and seasonal shoppers."""
    days = np.arange(DAYS)
    dates = np.datetime64(START.isoformat()) + days
    month = dates.astype("M8[M]").astype(int) % 12 + 1
    dom = (dates - dates.astype("M8[M]")).astype(int) + 1
    weekday = (days + START.weekday()) % 7  # Monday = 0
    black_friday = np.zeros(DAYS, dtype=bool)
    for year in range(START.year, END.year + 1):
        nov1 = date(year, 11, 1)
        friday = nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 22)  # 4th Thursday + 1
        offset = (friday - START).days
        black_friday[max(offset - 3, 0) : max(offset + 4, 0)] = True
    winter_sale = ((month == 12) & (dom >= 26)) | ((month == 1) & (dom <= 15))
    summer_sale = ((month == 6) & (dom >= 25)) | ((month == 7) & (dom <= 20))
    christmas = (month == 11) | ((month == 12) & (dom <= 22))

    ordinary = 1.0 + 0.12 * days / 365  # the business grows a little each year
    ordinary = ordinary * np.where(weekday >= 5, 1.15, 1.0)
    ordinary = ordinary * np.where(christmas, 1.4, 1.0) * np.where(black_friday, 2.0, 1.0)
    ordinary = ordinary * np.where(winter_sale, 1.3, 1.0) * np.where(summer_sale, 1.1, 1.0)
    bargain = 1.0 + 6.0 * black_friday + 4.0 * winter_sale + 3.0 * summer_sale
    seasonal = np.where(christmas, 25.0, 0.35) * np.where(black_friday, 1.5, 1.0)
    return {"ordinary": ordinary, "bargain": bargain, "seasonal": seasonal}


def _sample_days(rng, profile: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A day in [lo, hi] (inclusive, per element) drawn with the weights of ``profile``."""
    cum = np.concatenate([[0.0], np.cumsum(profile)])
    target = cum[lo] + rng.random(len(lo)) * (cum[hi + 1] - cum[lo])
    return (np.searchsorted(cum, target, side="right") - 1).clip(lo, hi)


def _group_sizes(customers: int) -> np.ndarray:
    sizes = np.floor(np.array(list(GROUPS.values())) * customers).astype(int)
    sizes[G["oneoff"]] += customers - sizes.sum()
    return sizes


def _order_windows(rng, group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: first and last day they may order on, and a relative order rate."""
    n, last = len(group), DAYS - 1
    lo, hi = np.zeros(n, dtype=np.int64), np.full(n, last, dtype=np.int64)
    rate = np.zeros(n)
    u = rng.random(n)

    def where(name):
        return group == G[name]

    for name, base_rate, latest_start in (("loyal", 1.0, 600), ("bargain", 1.0, 600)):
        m = where(name)
        lo[m] = np.where(u[m] < 0.5, 0, rng.integers(0, latest_start, m.sum()))
        rate[m] = base_rate
    m = where("regular")
    lo[m] = rng.integers(0, 700, m.sum())
    drifting = m & (u < 0.3)  # stopped buying a while ago: "at risk" material
    hi[drifting] = lo[drifting] + 180 + (rng.random(drifting.sum()) * 240).astype(int)
    rate[m] = 0.5
    m = where("seasonal")
    lo[m] = np.where(u[m] < 0.6, 0, rng.integers(0, 500, m.sum()))
    m = where("lapsed")
    hi[m] = rng.integers(150, 365, m.sum())
    lo[m] = np.maximum(0, hi[m] - rng.integers(60, 365, m.sum()))
    m = where("new")
    lo[m] = last - rng.integers(0, NEW_WINDOW, m.sum())
    m = where("oneoff")
    lo[m] = rng.integers(0, last - NEW_WINDOW - 1, m.sum())
    hi[m] = np.minimum(lo[m] + 240, last - NEW_WINDOW)
    hi = np.minimum(hi, last)
    rate *= rng.lognormal(0.0, 0.35, n)
    return lo, hi, rate


def _order_counts(rng, group: np.ndarray, lo, hi, rate, purchases: int) -> np.ndarray:
    """Orders per customer, summing to exactly ``purchases``."""
    n = len(group)
    counts = np.zeros(n, dtype=np.int64)
    sizes = {name: (group == G[name]).sum() for name in GROUPS}
    counts[group == G["seasonal"]] = 2 + rng.poisson(4.5, sizes["seasonal"])
    counts[group == G["lapsed"]] = 1 + rng.poisson(2.5, sizes["lapsed"])
    counts[group == G["new"]] = 1 + rng.poisson(0.5, sizes["new"])
    counts[group == G["oneoff"]] = 1 + (rng.random(sizes["oneoff"]) < 0.3)
    elastic = np.isin(group, [G[name] for name in ELASTIC])
    counts[elastic] = np.where(group[elastic] == G["regular"], 4, 8)
    weight = np.where(elastic, rate * (hi - lo + 1), 0.0)
    spare = purchases - counts.sum()
    if spare >= 0 and weight.sum() > 0:
        return counts + rng.multinomial(spare, weight / weight.sum())
    # Too few orders for these customers: spread what there is in the same proportions.
    wanted = counts + weight / max(weight.sum(), 1.0) * counts.sum()
    return rng.multinomial(max(purchases, 0), wanted / wanted.sum())


def _email_slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalpha())


def _regions(spec: str) -> tuple[list[str], np.ndarray]:
    """'London:15 South East:14' -> (['London', 'South East'], weights summing to 1)."""
    pairs = re.findall(r"\s*(.+?):(\d+)", spec)
    weights = np.array([float(w) for _, w in pairs])
    return [name for name, _ in pairs], weights / weights.sum()


def _labels(values: list, idx: np.ndarray, blank: np.ndarray | None = None) -> pl.Series:
    """Codes -> text, with the positions in ``blank`` left empty."""
    out = pl.Series(values, dtype=pl.String).gather(idx)
    return out if blank is None else out.scatter(np.flatnonzero(blank), None)


def _customers_frame(rng, group: np.ndarray) -> tuple[pl.DataFrame, np.ndarray]:
    """The customers' attributes (no id, email or signup yet) and their category preferences."""
    n = len(group)
    age_mean, age_sd = np.array(AGE, dtype=float).T
    age = np.round(rng.normal(age_mean[group], age_sd[group])).clip(18, 88).astype(np.int64)
    lifestyle = _pick(rng, LIFESTYLE_P, group)
    lifestyle[(age < 24) & (rng.random(n) < 0.7)] = LIFESTYLES.index("student")
    lifestyle[(age >= 65) & (rng.random(n) < 0.8)] = LIFESTYLES.index("retired")

    gender = _pick(rng, GENDER_P, group)
    female, male, surnames = _names(FEMALE), _names(MALE), _names(SURNAMES)
    is_female = (gender == 0) | ((gender >= 2) & (rng.random(n) < 0.5))
    first = np.where(is_female, _zipf(rng, len(female), n), len(female) + _zipf(rng, len(male), n))

    countries = list(COUNTRIES)
    country = rng.choice(len(countries), size=n, p=[share for share, _ in COUNTRIES.values()])
    region_names, region = [], np.zeros(n, dtype=np.int64)
    for i, (_, spec) in enumerate(COUNTRIES.values()):
        names, weights = _regions(spec)
        here = country == i
        region[here] = len(region_names) + rng.choice(len(names), here.sum(), p=weights)
        region_names += names
    city = _pick(rng, CITY_P, group)
    city[(region == region_names.index("London")) & (rng.random(n) < 0.9)] = 0  # urban

    # Interests raise the chance of buying the matching categories, so tags and baskets agree.
    interest_on = rng.random((n, len(INTERESTS))) < np.array(INTEREST_P)[group]
    boost = np.array([[INTEREST_BOOST[t].get(c, 0.0) for c in CATEGORIES] for t in INTERESTS])
    category_p = np.array(CATEGORY_P)[group] * (1.0 + interest_on @ boost)
    tags = [
        pl.when(pl.Series(interest_on[:, k])).then(pl.lit(tag)) for k, tag in enumerate(INTERESTS)
    ]
    contact = _pick(rng, CONTACT_P, group)
    opt_in = rng.random(n) < np.array(OPT_IN)[group] * np.where(contact == 3, 0.3, 1.0)

    frame = pl.DataFrame(
        {
            "first_name": _labels(female + male, first),
            "last_name": _labels(surnames, _zipf(rng, len(surnames), n)),
            "age": pl.Series(age),
            "gender": _labels(GENDERS, gender),
            "income_band": _labels(INCOME_BANDS, _pick(rng, INCOME_P, group), rng.random(n) < 0.03),
            "country": _labels(countries, country),
            "region": _labels(region_names, region),
            "city_type": _labels(CITY_TYPES, city),
            "lifestyle": _labels(LIFESTYLES, lifestyle),
            "preferred_channel": _labels(CONTACT_CHANNELS, contact),
            "marketing_opt_in": _labels(["no", "yes"], opt_in.astype(np.int64)),
        }
    ).with_columns(
        pl.when(pl.Series(rng.random(n) < 0.02)).then(None).otherwise(pl.col("age")).alias("age"),
        pl.concat_str(tags, separator="|", ignore_nulls=True).replace("", None).alias("interests"),
    )
    return frame, category_p


def _with_emails(rng, frame: pl.DataFrame) -> pl.DataFrame:
    """Unique addresses on example.com made from the name in one of five common patterns.

    The pattern parts never end in a digit, so numbering the repeats ("john.smith2") cannot
    collide with another address.
    """
    names = set(frame["first_name"].unique()) | set(frame["last_name"].unique())
    slugs = {name: _email_slug(name) for name in names}
    first = pl.col("first_name").replace_strict(slugs, return_dtype=pl.String)
    last = pl.col("last_name").replace_strict(slugs, return_dtype=pl.String)
    pattern = pl.Series(rng.choice(5, size=frame.height, p=[0.5, 0.15, 0.15, 0.1, 0.1]))
    local = (
        pl.when(pattern == 0).then(pl.concat_str(first, pl.lit("."), last))
        .when(pattern == 1).then(pl.concat_str(first, last))
        .when(pattern == 2).then(pl.concat_str(first.str.slice(0, 1), pl.lit("."), last))
        .when(pattern == 3).then(pl.concat_str(first, pl.lit("_"), last))
        .otherwise(pl.concat_str(first, pl.lit("."), last.str.slice(0, 1)))
    )  # fmt: skip
    repeat = pl.int_range(pl.len()).over("_local")
    return (
        frame.with_columns(local.alias("_local"))
        .with_columns(
            pl.concat_str(
                "_local",
                pl.when(repeat > 0).then((repeat + 1).cast(pl.String)).otherwise(pl.lit("")),
                pl.lit("@example.com"),
            ).alias("email")
        )
        .drop("_local")
    )


def _signup_days(rng, group: np.ndarray, first_day: np.ndarray) -> np.ndarray:
    """Signup day (relative to START; negative = before the order history) for every customer.

    ``first_day`` is -1 for customers without orders.
    """
    n = len(group)
    mean_lag = np.array([500, 300, 300, 400, 250, 0, 60, 0], dtype=float)[group]
    lag = np.floor(rng.exponential(1.0, n) * mean_lag).astype(np.int64)
    same_day = (rng.random(n) < 0.6) & np.isin(group, [G["oneoff"], G["new"]])
    lag[same_day] = 0
    new = group == G["new"]
    room = np.maximum(first_day - (DAYS - NEW_WINDOW), 0)  # keep new customers' signup recent
    lag[new & ~same_day] = (rng.random(n) * (room + 1)).astype(np.int64)[new & ~same_day]
    earliest = -(START - date(2016, 3, 1)).days  # the shop opened online in spring 2016
    signup = np.maximum(first_day - lag, earliest)
    never = first_day < 0
    signup[never] = rng.integers(earliest // 3, DAYS, never.sum())
    return signup


def _orders(rng, group, category_p, lo, hi, rate, orders: int) -> dict[str, np.ndarray]:
    """Order rows as arrays, sorted by date; returns are extra rows with negative amounts."""
    returns = min(round(RETURN_SHARE * orders), orders // 2)
    counts = _order_counts(rng, group, lo, hi, rate, orders - returns)
    cust = np.repeat(np.arange(len(group)), counts)
    g = group[cust]

    profiles = _day_profiles()
    kind = np.where(g == G["bargain"], 1, np.where(g == G["seasonal"], 2, 0))
    day = np.empty(len(cust), dtype=np.int64)
    for k, name in enumerate(("ordinary", "bargain", "seasonal")):
        here = kind == k
        day[here] = _sample_days(rng, profiles[name], lo[cust[here]], hi[cust[here]])

    category = _pick(rng, category_p, cust)
    favourite = _pick(rng, ORDER_CHANNEL_P, group)  # most orders go through one channel
    channel = np.where(
        rng.random(len(cust)) < 0.65, favourite[cust], _pick(rng, ORDER_CHANNEL_P, g)
    )
    discount = rng.random(len(cust)) < np.array(DISCOUNT)[g]
    quantity = 1 + rng.poisson(np.array(EXTRA_QTY)[g])
    # Log-normal prices: a group level, a per-customer taste, the category, and the order itself.
    taste = rng.lognormal(0.0, 0.35, len(group))
    unit = (
        np.array(UNIT_PRICE, dtype=float)[g]
        * taste[cust]
        * np.array(PRICE_FACTOR)[category]
        * rng.lognormal(0.0, 0.55, len(cust))
    )
    unit = np.ceil(unit.clip(1.5, 1500.0)) - 0.01  # shelf prices end in .99
    off = np.where(discount, rng.choice([0.9, 0.8, 0.75, 0.7], len(cust)), 1.0)
    amount = np.round(unit * quantity * off, 2)

    # Returns: distinct purchases, more often clothes and shoes, refunded in full a bit later.
    keys = np.log(rng.random(len(cust))) / np.array(RETURN_RATE)[category]
    keys[day > DAYS - 3] = -np.inf  # too late to come back before the history ends
    back = np.argpartition(keys, len(keys) - returns)[len(keys) - returns :] if returns else []
    rows = {
        "cust": np.concatenate([cust, cust[back]]),
        "day": np.concatenate(
            [day, np.minimum(day[back] + rng.integers(2, 31, returns), DAYS - 1)]
        ),
        "amount": np.concatenate([amount, -amount[back]]),
        "quantity": np.concatenate([quantity, -quantity[back]]),
        "category": np.concatenate([category, category[back]]),
        "channel": np.concatenate([channel, channel[back]]),
        "discount": np.concatenate([discount, discount[back]]),
    }
    order = np.lexsort((rng.random(len(rows["day"])), rows["day"]))
    rows = {name: values[order] for name, values in rows.items()}
    first_day = np.full(len(group), -1, dtype=np.int64)
    bought = counts > 0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[bought]
    first_day[bought] = np.minimum.reduceat(day, starts) if len(day) else []
    rows["first_day"] = first_day
    return rows


def _dates(days: np.ndarray) -> pl.Series:
    return pl.Series(np.datetime64(START.isoformat(), "D") + days).cast(pl.Date)


def _ids(prefix: str, n: int, min_digits: int) -> pl.Series:
    width = max(min_digits, len(str(n)))
    numbers = pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(width)
    return (prefix + numbers).rename("")


def generate(
    customers: int, orders: int, seed: int, out_dir: Path, *, truth: bool = False
) -> tuple[Path, Path]:
    """Write customers.csv and orders.csv (and truth.csv if asked) into ``out_dir``."""
    if customers < len(GROUPS) or orders < 0:
        raise ValueError(f"need at least {len(GROUPS)} customers and a non-negative order count")
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    group = rng.permutation(np.repeat(np.arange(len(GROUPS)), _group_sizes(customers)))

    people, category_p = _customers_frame(rng, group)
    lo, hi, rate = _order_windows(rng, group)
    rows = _orders(rng, group, category_p, lo, hi, rate, orders)
    customer_ids = _ids("C", customers, 5)

    people = _with_emails(rng, people).with_columns(
        customer_id=customer_ids, signup_date=_dates(_signup_days(rng, group, rows["first_day"]))
    )
    people = people.select(
        "customer_id", "first_name", "last_name", "email", "age", "gender", "income_band",
        "country", "region", "city_type", "signup_date", "interests", "lifestyle",
        "preferred_channel", "marketing_opt_in",
    )  # fmt: skip
    if not people["email"].is_unique().all():  # cannot happen; see _with_emails
        raise RuntimeError("generated e-mail addresses are not unique")
    order_rows = pl.DataFrame(
        {
            "order_id": _ids("O", len(rows["day"]), 6),
            "customer_id": customer_ids.gather(rows["cust"]),
            "order_date": _dates(rows["day"]),
            "amount": rows["amount"],
            "quantity": rows["quantity"],
            "category": _labels(CATEGORIES, rows["category"]),
            "channel": _labels(ORDER_CHANNELS, rows["channel"]),
            "discount_used": _labels(["no", "yes"], rows["discount"].astype(np.int64)),
        }
    )
    customers_path, orders_path = out_dir / "customers.csv", out_dir / "orders.csv"
    people.write_csv(customers_path)
    order_rows.write_csv(orders_path, float_precision=2)
    if truth:
        pl.DataFrame(
            {"customer_id": customer_ids, "planted_group": _labels(list(GROUPS), group)}
        ).write_csv(out_dir / "truth.csv")
    return customers_path, orders_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--truth", action="store_true", help="also write each planted group")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.customers, args.orders, args.seed, args.out, truth=args.truth)
    took = time.perf_counter() - started
    for path in paths:
        print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
    print(f"{args.customers:,} customers, {args.orders:,} orders in {took:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
