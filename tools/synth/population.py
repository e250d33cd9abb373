"""A synthetic scheme population, drawn column by column with numpy (no loop over people).

Every per-person attribute is one numpy array; text that differs per person (ID, name, account
number) is held as UTF-8 bytes (numpy ``S`` dtype) to keep ten million people in memory.
People are ordered by township, then village, then at random: that order is the row order of
the roster files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pipeline.core.idcard import CHECK_CHARS, WEIGHTS
from pipeline.core.months import parse_month
from pipeline.policy import Policy
from tools.synth import names

REGION = "320281"  # 江阴市
NEVER = np.int16(32767)  # month index of an event that does not happen in the months made
PENSIONER_DEATH_RATE = 3000 / 99000  # a year: the seed's 3,000 deaths among 99,000 pensioners
LATE_REGISTRATION_SHARE = 0.10  # deaths registered in the month after they happen
SCHEME_START = "2010-07"  # 江阴市居民养老保险暂行办法 (澄政发〔2010〕159号)
SEQ_PER_SEX = 490  # random people use sequence numbers 000-979; 980-999 are for edge cases
YEAR_DAYS = 365.2425

CHECK_BYTES = np.frombuffer("".join(CHECK_CHARS).encode("ascii"), dtype=np.uint8)


# ---------------------------------------------------------------- months and dates as numbers


def month_number(month: str) -> int:
    """'2021-03' -> 2021*12 + 2: consecutive months are consecutive integers."""
    year, mon = parse_month(month)
    return year * 12 + mon - 1


def month_text(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def first_day(numbers: np.ndarray | int) -> np.ndarray:
    """First day (datetime64[D]) of each month number."""
    return (np.asarray(numbers, dtype=np.int64) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


def days_in(numbers: np.ndarray | int) -> np.ndarray:
    numbers = np.asarray(numbers, dtype=np.int64)
    return (first_day(numbers + 1) - first_day(numbers)).astype(np.int64)


def month_of(days: np.ndarray) -> np.ndarray:
    """Month number of each datetime64[D]."""
    return days.astype("datetime64[M]").astype(np.int64) + 1970 * 12


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers -> (n, width) ASCII digit bytes, zero-padded on the left."""
    values = np.asarray(values, dtype=np.int64).copy()
    out = np.empty((values.size, width), dtype=np.uint8)
    for k in range(width - 1, -1, -1):
        out[:, k] = values % 10 + 48
        values //= 10
    return out


def as_bytes(matrix: np.ndarray) -> np.ndarray:
    """(n, w) uint8 matrix -> length-n ``S{w}`` array (trailing NUL bytes are dropped)."""
    matrix = np.ascontiguousarray(matrix)
    return matrix.view(f"S{matrix.shape[1]}").ravel()


def date_text(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> b'YYYY-MM-DD'."""
    numbers = month_of(days)
    day = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    out = np.empty((days.size, 10), dtype=np.uint8)
    out[:, 0:4] = digit_matrix(numbers // 12, 4)
    out[:, 4] = out[:, 7] = ord("-")
    out[:, 5:7] = digit_matrix(numbers % 12 + 1, 2)
    out[:, 8:10] = digit_matrix(day, 2)
    return as_bytes(out)


def id_numbers(birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """18-character Jiangyin IDs (GB 11643 check character) as ``S18`` bytes."""
    numbers = month_of(birth)
    day = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    out = np.empty((birth.size, 18), dtype=np.uint8)
    out[:, 0:6] = np.frombuffer(REGION.encode(), dtype=np.uint8)
    out[:, 6:10] = digit_matrix(numbers // 12, 4)
    out[:, 10:12] = digit_matrix(numbers % 12 + 1, 2)
    out[:, 12:14] = digit_matrix(day, 2)
    out[:, 14:17] = digit_matrix(seq, 3)
    total = np.zeros(birth.size, dtype=np.int64)
    for k in range(17):
        total += int(WEIGHTS[k]) * (out[:, k].astype(np.int64) - 48)
    out[:, 17] = CHECK_BYTES[total % 11]
    return as_bytes(out)


def utf8(values) -> np.ndarray:
    """Python strings -> ``S`` array of their UTF-8 bytes."""
    return np.array([v.encode("utf-8") for v in values], dtype=bytes)


def vocabulary(values) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def text_column(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """``S`` bytes (UTF-8) -> Arrow string array; masked entries become empty cells."""
    return pa.array(values, type=pa.binary(), mask=mask).cast(pa.string())


def take(vocab: pa.Array, index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return vocab.take(pa.array(np.asarray(index, dtype=np.int64), mask=mask))


# Lookup tables shared by every month: month texts and account pensions in yuan.
MONTH_BASE = 1900 * 12
MONTH_TEXTS = vocabulary(month_text(n) for n in range(MONTH_BASE, 2101 * 12))
MAX_ACCOUNT_CENTS = 18000
ACCOUNT_TEXTS = vocabulary(f"{c // 100}.{c % 100:02d}" for c in range(MAX_ACCOUNT_CENTS + 1))


# ----------------------------------------------------------------------------- the population


@dataclass
class Population:
    townships: list[str]  # rostering township codes; `township` indexes this list
    months: list[str]
    township: np.ndarray  # int16
    male: np.ndarray  # bool
    birth: np.ndarray  # datetime64[D]
    id_number: np.ndarray  # S18
    surname: np.ndarray  # int16 index into names.SURNAMES
    name: np.ndarray  # S, UTF-8
    birth_listed: np.ndarray  # bool: the roster's birth_date cell is filled
    code12: np.ndarray  # bool: the township code is written in its 12-digit form
    village: np.ndarray  # int32 index into village_names
    village_names: list[str]
    pension_month: np.ndarray  # int32 month number of the 60th/55th birthday
    receiving_at_start: np.ndarray  # bool
    benefit_start: np.ndarray  # int32 month number (for contributors: pension_month)
    join: np.ndarray  # int16 month index of the first roster listing the person
    death: np.ndarray  # int16 month index of death, NEVER if none in the months made
    registration: np.ndarray  # int16 month index of the death registration, or NEVER
    bank: np.ndarray  # int8 index into bank_codes
    bank_codes: list[str]
    account: np.ndarray  # S19
    bank_while_contributing: np.ndarray  # bool: a contributor's row shows bank details
    account_cents: np.ndarray  # int32, -1 = empty cell
    account_name_listed: np.ndarray  # bool
    deaths: dict  # per dead person (arrays aligned with deaths["person"])

    @property
    def size(self) -> int:
        return int(self.township.size)


def _streams(seed: int, count: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def _weights(pairs) -> tuple[list[str], np.ndarray]:
    keys = [k for k, _ in pairs]
    w = np.array([float(v) for _, v in pairs])
    return keys, w / w.sum()


def _names(rng: np.random.Generator, male: np.ndarray, surname: np.ndarray) -> np.ndarray:
    surnames = utf8(s for s, _ in names.SURNAMES)
    male_given = utf8(names.MALE_GIVEN)
    female_given = utf8(names.FEMALE_GIVEN)
    n = male.size
    first = np.where(
        male,
        male_given[rng.integers(0, male_given.size, n)],
        female_given[rng.integers(0, female_given.size, n)],
    )
    second = np.where(
        male,
        male_given[rng.integers(0, male_given.size, n)],
        female_given[rng.integers(0, female_given.size, n)],
    )
    two = rng.random(n) < 0.72
    given = np.where(two, np.strings.add(first, second), first)
    return np.strings.add(surnames[surname], given)


def _villages(rng: np.random.Generator, townships: list[str]) -> tuple[list[str], np.ndarray]:
    """Made-up village/community names; returns the flat list and each township's offset."""
    flat: list[str] = []
    offsets = [0]
    chars = names.PLACE_CHARS
    for _ in townships:
        count = int(rng.integers(8, 22))
        seen: set[str] = set()
        made: list[str] = []
        while len(made) < count:
            a, b = rng.integers(0, len(chars), 2)
            suffix = "社区" if rng.random() < 0.2 else "村"
            village = chars[a] + chars[b] + suffix
            if chars[a] != chars[b] and village not in seen:
                seen.add(village)
                made.append(village)
        flat.extend(made)
        offsets.append(len(flat))
    return flat, np.array(offsets, dtype=np.int64)


def _group_ranks(key: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements share its key (0, 1, 2, ...)."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.ones(ordered.size, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    position = np.arange(ordered.size)
    rank_sorted = position - np.maximum.accumulate(np.where(starts, position, 0))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank


def _unique_birth_slots(
    rng: np.random.Generator, birth: np.ndarray, male: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move people off birth days that are full, then give each a distinct sequence number.

    An ID holds 490 people per birth day and sex here (odd/even sequences below 980); people
    beyond that are redrawn uniformly within their own birth window until all fit. Only the
    redrawn people are ranked again, so this stays fast for ten million people.
    """
    days = birth.astype(np.int64)
    base = int(lo.min()) if lo.size else 0
    size = 2 * (int(hi.max()) - base + 1) if lo.size else 1
    key = (days - base) * 2 + male
    rank = _group_ranks(key)
    settled = rank < SEQ_PER_SEX
    counts = np.bincount(key[settled], minlength=size)
    pending = np.flatnonzero(~settled)
    for _ in range(200):
        if not pending.size:
            offset = (days * 7919 + male * 104729) % SEQ_PER_SEX
            seq = 2 * ((rank + offset) % SEQ_PER_SEX) + male
            return days.astype("datetime64[D]"), seq
        span = hi[pending] - lo[pending] + 1
        days[pending] = lo[pending] + (rng.random(pending.size) * span).astype(np.int64)
        key_p = (days[pending] - base) * 2 + male[pending]
        rank_p = counts[key_p] + _group_ranks(key_p)
        fits = rank_p < SEQ_PER_SEX
        rank[pending[fits]] = rank_p[fits]
        counts += np.bincount(key_p[fits], minlength=size)
        pending = pending[~fits]
    raise ValueError("too many people for distinct Jiangyin ID numbers: lower `people`")


def make_population(policy: Policy, seed: int, people: int, months: list[str]) -> Population:
    if people < 1:
        raise ValueError("people must be at least 1")
    (r_role, r_birth, r_names, r_place, r_bank, r_death, r_misc, r_payee) = _streams(seed, 8)
    townships = policy.rostering_townships
    start = month_number(months[0])
    n_months = len(months)
    male_age, female_age = policy.pension_age_male, policy.pension_age_female

    # Who: the people at the start, then a few joining contributors each later month.
    joiners_per_month = r_role.poisson(people * 0.0015, size=max(n_months - 1, 0))
    join = np.concatenate(
        [np.zeros(people, dtype=np.int16)]
        + [np.full(int(c), i + 1, dtype=np.int16) for i, c in enumerate(joiners_per_month)]
    )
    n = join.size
    receiving = (r_role.random(n) < 0.80) & (join == 0)
    over65 = receiving & (r_role.random(n) < 0.81)
    male = np.where(
        over65,
        r_role.random(n) < 0.46,
        np.where(receiving, r_role.random(n) < 0.35, r_role.random(n) < 0.50),
    )

    # Where. Rows are ordered by township, village, then at random (village numbers grow with
    # the township); everything drawn after the ordering is drawn in row order.
    tw_weights = np.array([names.TOWNSHIP_WEIGHTS.get(c, 1.0) for c in townships])
    township = r_place.choice(len(townships), size=n, p=tw_weights / tw_weights.sum())
    village_names, offsets = _villages(r_place, townships)
    counts = offsets[1:] - offsets[:-1]
    village = offsets[township] + (r_place.random(n) * counts[township]).astype(np.int64)
    shuffle = r_place.integers(0, 1 << 40, n, dtype=np.int64)
    order = np.argsort((village << 40) | shuffle, kind="stable")
    del shuffle
    join, receiving, over65, male = join[order], receiving[order], over65[order], male[order]
    township, village = township[order].astype(np.int16), village[order].astype(np.int32)
    code12 = r_place.random(n) < 0.06
    birth_listed = r_place.random(n) < 0.85
    joiner = join > 0
    young_receiver = receiving & ~over65
    contributor = ~receiving & ~joiner

    # When born: a window per person, then a draw inside it.
    ref = int(first_day(start).astype(np.int64))
    age = np.where(male, male_age, female_age)

    def day(number):
        return first_day(number).astype(np.int64)

    def last_of(number):
        return day(number + 1) - 1

    lo = np.empty(n, dtype=np.int64)
    hi = np.empty(n, dtype=np.int64)
    lo[over65] = day(start - 100 * 12)
    hi[over65] = last_of(start - 65 * 12)
    lo[young_receiver] = day(start - 65 * 12 + 1)
    hi[young_receiver] = last_of(start - age[young_receiver] * 12)
    lo[contributor] = day(start - age[contributor] * 12 + 1)
    hi[contributor] = day(start - 18 * 12) - 1
    join_month = start + join.astype(np.int64)
    lo[joiner] = day(join_month[joiner] - 45 * 12)
    hi[joiner] = day(join_month[joiner] - 18 * 12) - 1
    span = hi - lo + 1
    birth_days = np.empty(n, dtype=np.int64)
    older = (r_birth.exponential(8 * YEAR_DAYS, n)).astype(np.int64) % span
    birth_days[over65] = hi[over65] - older[over65]
    uniform = (r_birth.random(n) * span).astype(np.int64)
    flat = young_receiver | joiner
    birth_days[flat] = lo[flat] + uniform[flat]
    skewed = (r_birth.beta(1.3, 2.0, n) * span).astype(np.int64)
    birth_days[contributor] = lo[contributor] + skewed[contributor]
    del older, uniform, skewed
    birth, seq = _unique_birth_slots(r_birth, birth_days, male, lo, hi)
    del lo, hi, birth_days, span
    ids = id_numbers(birth, seq)

    # Names.
    surname_keys, surname_p = _weights(names.SURNAMES)
    surname = r_names.choice(len(surname_keys), size=n, p=surname_p).astype(np.int16)
    person_names = _names(r_names, male, surname)

    # Pension age and benefit start.
    pension_month = month_of(birth) + age.astype(np.int64) * 12
    late = r_misc.random(n) < 0.10
    benefit = np.maximum(pension_month, month_number(SCHEME_START))
    benefit = np.where(late, np.minimum(benefit + r_misc.integers(1, 25, n), start), benefit)
    benefit = np.where(receiving, benefit, pension_month)

    # Bank.
    bank_codes = policy.bank_codes
    bank_w = np.array([names.BANK_WEIGHTS.get(c, names.DEFAULT_BANK_WEIGHT) for c in bank_codes], dtype=float)
    bank = r_bank.choice(len(bank_codes), size=n, p=bank_w / bank_w.sum()).astype(np.int8)
    account = account_numbers(r_bank, bank, bank_codes)
    bank_while_contributing = r_bank.random(n) < 0.6
    cents = (800 + r_misc.beta(1.5, 4.0, n) * (MAX_ACCOUNT_CENTS - 800)).astype(np.int32)
    choice = r_misc.random(n)
    cents = np.where(choice < 0.05, -1, np.where(choice < 0.10, 0, cents)).astype(np.int32)
    account_name_listed = r_misc.random(n) < 0.02

    # Deaths: an age-dependent monthly hazard averaging the seed's 3,000 deaths a year among
    # 99,000 pensioners (scaled again after the cap on the oldest, which would lower the mean).
    age_years = (ref - birth.astype(np.int64)) / YEAR_DAYS
    hazard = np.exp(0.09 * (age_years - 75.0))
    if receiving.any():
        for _ in range(3):
            hazard = np.clip(hazard * (PENSIONER_DEATH_RATE / 12) / hazard[receiving].mean(), 1e-5, 0.06)
    hazard = np.where(receiving, hazard, 0.0015 / 12)
    wait = r_death.geometric(hazard) - 1
    death = join.astype(np.int64) + wait
    death = np.where(death < n_months, death, NEVER)
    # Deaths of the month before the first, registered late: the first month learns of them, as a
    # running office would of the previous December's (month index -1).
    tail = receiving & (join == 0) & (r_death.random(n) < hazard * LATE_REGISTRATION_SHARE)
    death = np.where(tail, -1, death).astype(np.int16)

    pop = Population(
        townships=list(townships),
        months=list(months),
        township=township,
        male=male,
        birth=birth,
        id_number=ids,
        surname=surname,
        name=person_names,
        birth_listed=birth_listed,
        code12=code12,
        village=village,
        village_names=village_names,
        pension_month=pension_month.astype(np.int32),
        receiving_at_start=receiving,
        benefit_start=benefit.astype(np.int32),
        join=join,
        death=death,
        registration=np.full(n, NEVER, dtype=np.int16),
        bank=bank,
        bank_codes=list(bank_codes),
        account=account,
        bank_while_contributing=bank_while_contributing,
        account_cents=cents,
        account_name_listed=account_name_listed,
        deaths={},
    )
    _register_deaths(pop, r_death, r_payee, start)
    return pop


def account_numbers(rng: np.random.Generator, bank: np.ndarray, bank_codes: list[str]) -> np.ndarray:
    """Made-up account numbers: the bank's prefix, then random digits to its length."""
    n = bank.size
    out = np.zeros((n, 19), dtype=np.uint8)
    out[:, 6:] = rng.integers(48, 58, size=(n, 13), dtype=np.uint8)
    for index, code in enumerate(bank_codes):
        prefix, length = names.BANK_ACCOUNT_FORMAT.get(code, names.DEFAULT_ACCOUNT_FORMAT)
        rows = bank == index
        out[rows, :6] = np.frombuffer(prefix.encode(), dtype=np.uint8)
        out[np.ix_(rows, np.arange(length, 19))] = 0
    return as_bytes(out)


def _register_deaths(pop: Population, r_death: np.random.Generator, r_payee: np.random.Generator, start: int) -> None:
    """Death dates, registrations (same month or the next) and the next of kin for the grant."""
    person = np.flatnonzero(pop.death != NEVER)
    k = person.size
    death_month = start + pop.death[person].astype(np.int64)
    dim = days_in(death_month)
    day_off = (r_death.random(k) * dim).astype(np.int64)
    death_date = first_day(death_month) + day_off.astype("timedelta64[D]")
    late = (r_death.random(k) < LATE_REGISTRATION_SHARE) | (pop.death[person] < 0)
    registration = pop.death[person].astype(np.int64) + late
    reg_month = start + registration
    same = death_date + (r_death.random(k) * (dim - day_off)).astype("timedelta64[D]")
    nxt = first_day(reg_month) + (r_death.random(k) * days_in(reg_month)).astype("timedelta64[D]")
    registered_on = np.where(late, nxt, same)
    source_keys, source_p = _weights(names.DEATH_SOURCES)
    source = r_death.choice(len(source_keys), size=k, p=source_p)
    n_months = len(pop.months)
    pop.registration[person] = np.where(registration < n_months, registration, NEVER)

    has_payee = r_payee.random(k) < 0.90
    kin_male = r_payee.random(k) < 0.5
    payee_name = _names(r_payee, kin_male, pop.surname[person])
    bank_w = np.array([names.BANK_WEIGHTS.get(c, names.DEFAULT_BANK_WEIGHT) for c in pop.bank_codes], float)
    payee_bank = r_payee.choice(len(pop.bank_codes), size=k, p=bank_w / bank_w.sum())
    payee_account = account_numbers(r_payee, payee_bank.astype(np.int8), pop.bank_codes)
    pop.deaths = {
        "person": person,
        "death_date": death_date,
        "registered_on": registered_on,
        "registration": registration,
        "source": source,
        "source_names": source_keys,
        "has_payee": has_payee,
        "payee_name": payee_name,
        "payee_bank": payee_bank,
        "payee_account": payee_account,
    }
