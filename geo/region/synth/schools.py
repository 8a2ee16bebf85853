"""Schools of the demo region and the IZM registers (pupils per grade, contacts)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from geo.region.synth.common import _GIVEN, _STREETS, _grid_members, _save_workbook, _slug

#: School types: (IZM "Iestādes veids", "Iestādes tips", registration-number type code, grades).
SCHOOL_TYPES = {
    "pii": ("Pirmsskolas izglītības iestāde", "Pirmsskolas izglītības iestāde", "01", ()),
    "sakumskola": ("Vispārējās izglītības iestāde", "Vispārizglītojošā sākumskola", "11",
                   tuple(range(1, 7))),
    "pamatskola": ("Vispārējās izglītības iestāde", "Vispārizglītojošā pamatskola", "12",
                   tuple(range(1, 10))),
    "vidusskola": ("Vispārējās izglītības iestāde", "Vispārizglītojošā vidusskola", "13",
                   tuple(range(1, 13))),
    "vakara": ("Vispārējās izglītības iestāde", "Vispārizglītojošā vakara (maiņu) vidusskola",
               "14", tuple(range(7, 13))),
    "neklatienes": ("Vispārējās izglītības iestāde", "Neklātienes vidusskola", "15",
                    tuple(range(7, 13))),
    "gimnazija": ("Vispārējās izglītības iestāde", "Valsts ģimnāzija", "19", tuple(range(7, 13))),
    "specpamat": ("Speciālās izglītības iestāde", "Speciālā pamatskola", "22",
                  tuple(range(1, 10))),
    "internats": ("Speciālās izglītības iestāde", "Internātskola - attīstības centrs", "24",
                  tuple(range(1, 10))),
}


_SCHOOL_WORD = {
    "pii": "pirmsskolas izglītības iestāde", "sakumskola": "sākumskola",
    "pamatskola": "pamatskola", "vidusskola": "vidusskola",
    "vakara": "vakara (maiņu) vidusskola", "neklatienes": "Tālmācības vidusskola",
    "gimnazija": "Valsts ģimnāzija", "specpamat": "speciālā pamatskola",
    "internats": "pamatskola - attīstības centrs",
}


_PII_NAMES = ("Saulīte", "Zvaniņš", "Bitīte", "Pasaciņa", "Ābelīte", "Taurenītis", "Rūķītis",
              "Cālītis", "Lāčuks", "Mārīte", "Sprīdītis", "Vāverīte")


#: Children per grade per inhabitant (Vidzeme 2022: 22,861 pupils in 12 grades, 214,157 people
#: -> 0.0089; a little more per cohort before grade 10).
_COHORT_RATE = 0.0095


#: Share of the age cohort in general education by grade band (the rest: vocational schools).
_PARTICIPATION = {"1-9": 0.96, "10-12": 0.58}


def _plan_schools(rng, st: pd.DataFrame, muni: pd.DataFrame, smuni: np.ndarray) -> pd.DataFrame:  # noqa: C901  generator rules (demo data tables)
    """Which schools exist where (type, settlement), by settlement size."""
    rows = []

    def add(sid, typ, **kw):
        rows.append({"sid": sid, "type": typ, **kw})

    towns = st.index[st["kind"] == "town"]
    centres = set(muni["seed"].tolist())
    for k in towns:
        p = int(st.at[k, "pop"])
        main = k == 0
        if main or k in centres:
            add(k, "gimnazija")
        for _ in range(max(1, round(p / 5000)) if main else 1):
            add(k, "vidusskola")
        for _ in range(round(p / 8000) if main else int(p >= 4000)):
            add(k, "pamatskola")
        for _ in range(round(p / 9000) if main else 0):
            add(k, "sakumskola")
        for _ in range(max(1, round(p / 2500))):
            add(k, "pii")
        if main:
            add(k, "internats")
            add(k, "vakara")
            add(k, "neklatienes", private=True)
            add(k, "sakumskola", private=True)
    for k in st.index[st["kind"] == "village"]:
        p = int(st.at[k, "pop"])
        u = rng.uniform()
        if p >= 650:
            add(k, "vidusskola" if u < 0.8 else "pamatskola")
        elif p >= 230:
            if u < 0.65:
                add(k, "pamatskola")
        elif p >= 120:
            if u < 0.08:
                add(k, "sakumskola")
            elif u < 0.3:
                add(k, "pamatskola")
        if p >= 400 and rng.uniform() < 0.5:
            add(k, "pii")
    # one special school per municipality, in a rural manor (hamlet)
    ham = st.index[st["kind"] == "hamlet"]
    for m in range(len(muni)):
        cand = ham[smuni[ham] == m]
        if len(cand):
            add(int(rng.choice(cand)), "specpamat")
    df = pd.DataFrame(rows)
    if "private" not in df:
        df["private"] = False
    df["private"] = df["private"].fillna(False).astype(bool)
    return df


#: Address point x school pairs per block of the gravity split (bounds its memory: a few
#: arrays of this many float64; the demo and Vidzeme scales fit in one block).
_GRAVITY_BLOCK = 1 << 24


def _gravity_split(pxy: np.ndarray, lam: np.ndarray, sxy: np.ndarray,
                   pull: np.ndarray) -> np.ndarray:
    """Children per school: each address point's ``lam`` split between the schools by
    ``pull * exp(-(d - d_nearest) / 2.5 km)`` (straight-line distances, metres).

    Computed in blocks of address points of about :data:`_GRAVITY_BLOCK` pairs, so that the
    memory stays bounded at country scale; returns the sum per school (float64).
    """
    rows = max(1, _GRAVITY_BLOCK // max(1, len(sxy)))
    out = np.zeros(len(sxy))
    for i0 in range(0, len(pxy), rows):
        p = pxy[i0:i0 + rows]
        d = np.hypot(p[:, None, 0] - sxy[None, :, 0], p[:, None, 1] - sxy[None, :, 1])
        d -= d.min(1, keepdims=True)
        d /= -2500.0
        w = pull[None] * np.exp(d, out=d)
        w /= w.sum(1, keepdims=True)
        w *= lam[i0:i0 + rows, None]
        out = out + w.sum(0) if i0 else w.sum(0)
    return out


def _schools(rng, st: pd.DataFrame, muni: pd.DataFrame, smuni: np.ndarray,  # noqa: C901  generator rules (demo data tables)
             people: pd.DataFrame, pts: pd.DataFrame) -> pd.DataFrame:
    """School table: ids, names, locations, pupils per grade, preschool, capacity."""
    sch = _plan_schools(rng, st, muni, smuni)
    # locations: beside a street crossing of the settlement, not the centre
    members = _grid_members(pts)
    labels = pts.index.to_numpy()
    px, py = pts["x"].to_numpy(), pts["y"].to_numpy()
    xs, ys = [], []
    used: set[int] = set()
    for _, r in sch.iterrows():
        s = st.loc[r["sid"]]
        if s["kind"] == "hamlet":
            a = rng.uniform(0, 2 * np.pi)
            xs.append(s["x"] + 120 * math.cos(a))
            ys.append(s["y"] + 120 * math.sin(a))
            continue
        gg = members[int(r["sid"])]
        d = np.hypot(px[gg] - s["x"], py[gg] - s["y"])
        order = np.argsort(d + rng.uniform(0, s["radius"] * 0.6, len(d)))
        pick = next((int(i) for i in labels[gg][order] if int(i) not in used),
                    int(labels[gg][order[0]]))
        used.add(pick)
        off = s["spacing"] * 0.3
        xs.append(pts.at[pick, "x"] + off * math.cos(s["angle"] - 0.7))
        ys.append(pts.at[pick, "y"] + off * math.sin(s["angle"] - 0.7))
    sch["x"], sch["y"] = xs, ys
    sch["muni"] = smuni[sch["sid"].to_numpy()]
    # pupils per grade: the children of each address point split between the schools offering
    # the grade by a gravity rule (nearest dominates; a gymnasium or secondary school pulls
    # older pupils from further away)
    grades = {g_: np.zeros(len(sch)) for g_ in range(1, 13)}
    pxy = people[["x", "y"]].to_numpy()
    lam = people["pop"].to_numpy() * _COHORT_RATE
    general = (~sch["private"]) & sch["type"].isin(["sakumskola", "pamatskola", "vidusskola",
                                                    "gimnazija"])
    for grade in range(1, 13):
        offer = np.flatnonzero(general & sch["type"].map(
            lambda t, gr=grade: gr in SCHOOL_TYPES[t][3]).to_numpy())
        if not len(offer):
            continue
        attract = sch["type"].to_numpy()[offer]
        pull = np.ones(len(offer))
        if grade >= 7:
            pull = np.where(attract == "gimnazija", 1.6 if grade >= 10 else 1.2,
                            np.where(attract == "vidusskola", 1.15, 1.0))
        sxy = sch[["x", "y"]].to_numpy()[offer]
        part = _PARTICIPATION["10-12" if grade >= 10 else "1-9"]
        grades[grade] = np.zeros(len(sch))
        grades[grade][offer] = _gravity_split(pxy, lam * part, sxy, pull)
    cohort = rng.lognormal(0, 0.08, 12)  # cohorts differ in size
    for grade in range(1, 13):
        expect = grades[grade] * cohort[grade - 1]
        grades[grade] = rng.poisson(expect * rng.lognormal(0, 0.12, len(sch)))
    typ = sch["type"].to_numpy()
    for k in range(len(sch)):  # special, evening, distance and private schools
        t = typ[k]
        if t in ("specpamat", "internats"):
            for gr in range(1, 10):
                grades[gr][k] = rng.poisson(4.0 if t == "specpamat" else 9.0)
        elif t == "vakara":
            for gr in range(7, 13):
                grades[gr][k] = rng.poisson(1.0 if gr < 10 else 6.0)
        elif t == "neklatienes":
            for gr in range(7, 13):
                grades[gr][k] = rng.poisson(4.0 if gr < 10 else 25.0 + 10 * (gr - 10))
        elif sch.at[k, "private"]:
            for gr in range(1, 7):
                grades[gr][k] = rng.poisson(9.0)
    for gr in range(1, 13):
        sch[f"g{gr}"] = np.asarray(grades[gr], np.int64)
    # preschool: kindergartens share the town's under-7s; many rural schools have groups
    pre_lt5 = np.zeros(len(sch), np.int64)
    pre_ge5 = np.zeros(len(sch), np.int64)
    for k in range(len(sch)):
        base = sch.loc[k, ["g1", "g2"]].mean()
        t = typ[k]
        if t == "pii":
            s = st.loc[sch.at[k, "sid"]]
            n_pii = int(((sch["sid"] == sch.at[k, "sid"]) & (sch["type"] == "pii")).sum())
            cohort_town = s["pop"] * _COHORT_RATE / n_pii
            pre_lt5[k] = rng.poisson(cohort_town * 3.2 * 0.85)
            pre_ge5[k] = rng.poisson(cohort_town * 2.0 * 0.95)
        elif t in ("sakumskola", "pamatskola") and st.at[sch.at[k, "sid"], "kind"] != "town":
            if rng.uniform() < 0.65:
                pre_lt5[k] = rng.poisson(base * 2.6)
                pre_ge5[k] = rng.poisson(base * 1.8)
        elif t == "internats":
            pre_lt5[k] = rng.poisson(3)
            pre_ge5[k] = rng.poisson(8)
    sch["pre_lt5"], sch["pre_ge5"] = pre_lt5, pre_ge5
    sch["prof"] = np.where(np.isin(typ, ["specpamat", "internats"]) & (
        rng.uniform(size=len(sch)) < 0.6), rng.poisson(8, len(sch)), 0)
    gsum = sch[[f"g{g_}" for g_ in range(1, 13)]].sum(axis=1)
    # a school with nobody left is not in the register
    sch = sch[(gsum > 0) | (typ == "pii")].reset_index(drop=True)
    typ = sch["type"].to_numpy()
    # identifiers and names
    code = sch["type"].map(lambda t: SCHOOL_TYPES[t][2])
    sch = sch.assign(_code=code).sort_values(["_code", "sid"], kind="stable").drop(
        columns="_code").reset_index(drop=True)
    typ = sch["type"].to_numpy()
    sch["reg_nr"] = [f"99{SCHOOL_TYPES[t][2]}9{k + 1:05d}" for k, t in enumerate(typ)]
    names = []
    seen: dict[str, int] = {}
    for k in range(len(sch)):
        t = typ[k]
        gen = st.at[sch.at[k, "sid"], "gen"]
        if sch.at[k, "private"] and t == "sakumskola":
            nm = f"{gen} Izdomātā privātā sākumskola"
        elif t == "neklatienes":
            nm = "Demo Izdomātā Tālmācības vidusskola"
        elif t == "pii":
            nm = f'{gen} pirmsskolas izglītības iestāde "{_PII_NAMES[k % len(_PII_NAMES)]}"'
        else:
            nm = f"{gen} {_SCHOOL_WORD[t]}"
        c = seen.get(nm, 0)
        seen[nm] = c + 1
        if c:
            nm = nm.replace(f"{gen} ", f"{gen} {c + 1}. ", 1)
        names.append(nm)
    # first of a duplicated name gets "1."
    dup = {n for n, c in seen.items() if c > 1}
    for k, nm in enumerate(names):
        if nm in dup:
            gen = st.at[sch.at[k, "sid"], "gen"]
            names[k] = nm.replace(f"{gen} ", f"{gen} 1. ", 1)
    sch["name"] = names
    gcols = [f"g{g_}" for g_ in range(1, 13)]
    sch["pupils"] = sch[gcols].sum(axis=1)
    total = sch["pupils"] + sch["pre_lt5"] + sch["pre_ge5"] + sch["prof"]
    f = rng.uniform(1.15, 1.9, len(sch))
    f[typ == "pii"] = rng.uniform(1.0, 1.25, (typ == "pii").sum())
    sch["capacity"] = (np.ceil(total * f / 10) * 10).astype(np.int64)
    dorm = np.zeros(len(sch), np.int64)
    town = st["kind"].to_numpy()[sch["sid"].to_numpy()] == "town"
    u = rng.uniform(size=len(sch))
    sec = np.isin(typ, ["vidusskola", "gimnazija"])
    dorm[sec & town & (u < 0.5)] = rng.integers(2, 7, (sec & town & (u < 0.5)).sum()) * 10
    dorm[sec & ~town & (u < 0.3)] = rng.integers(1, 4, (sec & ~town & (u < 0.3)).sum()) * 10
    spec = np.isin(typ, ["specpamat", "internats"])
    dorm[spec] = np.round(sch["pupils"].to_numpy()[spec] * 0.7).astype(np.int64)
    sch["dormitory_places"] = dorm
    # dormitories (dienesta viesnīcas) stand beside their school; boarding schools house
    # their pupils in the school itself
    ang = st["angle"].to_numpy()[sch["sid"].to_numpy()] + 1.2
    sep = np.where(sec, 70.0, 0.0)
    sch["dorm_x"] = sch["x"] + sep * np.cos(ang)
    sch["dorm_y"] = sch["y"] + sep * np.sin(ang)
    sch["dorm_name"] = [f"{n} {'dienesta viesnīca' if s_ else 'internāts'}"
                        for n, s_ in zip(sch["name"], sec, strict=True)]
    return sch


#: Columns of the IZM per-institution file (izglitojamoskvispizglprogr_pa_iestadem_01122022.xlsx).
IZM_COLUMNS = (
    "Pašvaldība", "Iestādes reģistrācijas Nr.", "Iestādes nosaukums", "Iestādes veids",
    "Iestādes tips", "Pakļautība", "Faktiskais dibinātājs", "Adreses ATVK kods",
    "Izglītojamo skaits vecumā līdz 5 gadu vecumam", "Izglītojamo skaits vecumā 5 gadi un vairāk",
    "Izglītojamo skaits pirmsskolā kopā", *[f"{g}. klase" for g in range(1, 13)],
    "Kopā 1.-12.klasē",
    "Profesionālās pamatizglītības programmās pie speciālās izglītības iestādēm",
    "Kopējais izglītojamo skaits",
)


#: Columns of the IZM contact list (ml_visparizgl_izgl_iest_kontaktinfo_01092022_0.xlsx), row 4.
CONTACT_COLUMNS = (
    "N.p.k.", "Novads/valstspilsēta", "Iestādes reģistrācijas Nr.", "Iestādes nosaukums",
    "Pakļautība", "Iestādes veids", "Iestādes tips", "Adrese", "Epasts", "Tālrunis", "Direktors",
    "Bērnu skaits pirmsskolas programmās", "Izglītojamo skaits 1. - 12. klasē",
)


def _izm_rows(sch: pd.DataFrame, st: pd.DataFrame, muni: pd.DataFrame) -> pd.DataFrame:
    typ = sch["type"].to_numpy()
    mname = muni["name"].to_numpy()[sch["muni"].to_numpy()]
    atvk = []
    for k in range(len(sch)):
        m = int(sch.at[k, "muni"]) + 1
        sid = int(sch.at[k, "sid"])
        local = 0 if st.at[sid, "kind"] == "town" else 10 + sid % 89
        atvk.append(f"99{m}{local:02d}0")
    pre_total = sch["pre_lt5"] + sch["pre_ge5"]
    df = pd.DataFrame({
        "Pašvaldība": [n.upper() for n in mname],
        "Iestādes reģistrācijas Nr.": sch["reg_nr"],
        "Iestādes nosaukums": sch["name"],
        "Iestādes veids": [SCHOOL_TYPES[t][0] for t in typ],
        "Iestādes tips": [SCHOOL_TYPES[t][1] for t in typ],
        "Pakļautība": np.where(sch["private"], "Juridiska vai fiziska persona", "Pašvaldība "),
        "Faktiskais dibinātājs": [
            'Biedrība "Demo izglītības biedrība"' if p else f"{g} novada pašvaldība"
            for p, g in zip(sch["private"], muni["gen"].to_numpy()[sch["muni"].to_numpy()],
                            strict=True)],
        "Adreses ATVK kods": atvk,
        IZM_COLUMNS[8]: sch["pre_lt5"], IZM_COLUMNS[9]: sch["pre_ge5"],
        IZM_COLUMNS[10]: pre_total,
    })
    for g in range(1, 13):
        df[f"{g}. klase"] = sch[f"g{g}"]
    df["Kopā 1.-12.klasē"] = sch["pupils"]
    df[IZM_COLUMNS[24]] = sch["prof"]
    df["Kopējais izglītojamo skaits"] = pre_total + sch["pupils"] + sch["prof"]
    df = df.sort_values(["Pašvaldība", "Iestādes reģistrācijas Nr."], kind="stable")
    return df.reset_index(drop=True)


def _write_izm(path: Path, df: pd.DataFrame) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(IZM_COLUMNS))
    for row in df.itertuples(index=False):
        ws.append([v.item() if hasattr(v, "item") else v for v in row])
    ws.column_dimensions["A"].width = 9.140625
    _save_workbook(wb, path)


def _write_contacts(path: Path, rng, sch: pd.DataFrame, st: pd.DataFrame,
                    muni: pd.DataFrame) -> None:
    gen = sch[sch["type"] != "pii"].sort_values("reg_nr").reset_index(drop=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = ("Izglītības iestāžu, kas īsteno vispārējās pamata un vidējās izglītības "
                "programmas,  kontaktinformācija 2022./2023.m.g. sākumā (IZDOMĀTI DATI)")
    ws["A1"].font = Font(name="Calibri", size=14, bold=True)
    ws["A2"] = ("Izdomāti demonstrācijas dati (geo.region.synth), nevis Valsts izglītības informācijas "
                "sistēmas dati. / Fictional demo data, not from the state register.")
    thin = Side(style="thin")
    ws.append([])
    ws.append(list(CONTACT_COLUMNS))
    for c in ws[4]:
        c.font = Font(name="Calibri", size=11, bold=True)
        c.alignment = Alignment(wrap_text=True)
        c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.row_dimensions[4].height = 48.0
    for k, r in gen.iterrows():
        s = st.loc[r["sid"]]
        m = muni.at[int(r["muni"]), "name"].upper()
        street = f"DEMO {_STREETS[k % 12].upper()} IELA {1 + k % 40}"
        post = f"LV-9{int(r['muni']) + 1}{int(r['sid']) % 100:02d}"
        if s["kind"] == "town":
            addr = f"{street}, {s['name'].upper()}, {m}, {post}"
        else:
            addr = f"{street}, {s['name'].upper()}, {s['gen'].upper()} PAGASTS, {m}, {post}"
        given, fam = _GIVEN[k % len(_GIVEN)]
        mail = f"info@{_slug(r['name'])[:40]}.example"
        noise = int(rng.integers(-3, 4))
        ws.append([
            k + 1, m, r["reg_nr"], r["name"],
            "Juridiska vai fiziska persona" if r["private"] else "Pašvaldība ",
            SCHOOL_TYPES[r["type"]][0], SCHOOL_TYPES[r["type"]][1], addr, mail,
            f"0000{k + 1:04d}", f"{given} {fam}",
            int(max(0, r["pre_lt5"] + r["pre_ge5"] + int(rng.integers(-2, 3)))),
            int(max(0, r["pupils"] + noise)),
        ])
    widths = (5.83203125, 24.6640625, 11.83203125, 62.83203125, 25.83203125, 41.5, 36.83203125,
              85.83203125, 36.83203125, 36.33203125, 26.5, 22.5, 16.83203125)
    for col, wdt in zip("ABCDEFGHIJKLM", widths, strict=True):
        ws.column_dimensions[col].width = wdt
    _save_workbook(wb, path)
