"""Regenerate the synthetic sample files in ``samples/``.

Provenance: every value in the sample files is synthetic. It is produced by this script from fixed
seeds with Python's ``random.Random``. No real person's data, no scraped data and no Faker output is
used, so the files do not depend on the Faker version. Name, road and remark pools are written
by hand for this project. The only real-world inputs are public code tables: GB/T 2260 county codes
(so that resident IDs carry a plausible area), ISO 3166-1 numeric country codes and plate
province abbreviations. Every check character is computed here from the published algorithm
(ISO 7064 MOD 11-2, Luhn, GB 32100 MOD 31, GB 11714, HKID mod 11, Taiwan ID, ISO 3779 VIN,
ISBN-13); see ``/work/shared/reference/cn-personal-information.md`` §2 for the specifications.
Mobile, card and ID numbers are random. Any match with a real person's number is a coincidence.
Email addresses use only reserved example domains (RFC 2606).

Usage::

    python samples/generate.py            # write all files into samples/ and self-check them
    python samples/generate.py --no-check # skip the optional stdnum/phonenumbers self-check

Running the script twice gives byte-identical files, provided the pyarrow version is the same
(the Parquet footer records the writer version).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import ipaddress
import json
import random
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

OUT_DIR = Path(__file__).resolve().parent
TODAY = dt.date(2026, 1, 1)  # reference date for ages (the minors rule is "under 14 in 2026")

# --------------------------------------------------------------------------------------------
# Check-character algorithms (implemented from the specifications, not copied)
# --------------------------------------------------------------------------------------------

_MOD11_2_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2


def mod11_2_check(body17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character (``0-9`` or ``X``) for 17 digits."""
    s = sum(int(c) * w for c, w in zip(body17, _MOD11_2_WEIGHTS, strict=True))
    c = (12 - s % 11) % 11
    return "X" if c == 10 else str(c)


def luhn_check(payload: str) -> str:
    """Return the Luhn check digit to append to ``payload``."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # the rightmost payload digit is doubled
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True if ``number`` (digits only) passes Luhn."""
    return luhn_check(number[:-1]) == number[-1]


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def uscc_check(body17: str) -> str:
    """Return the GB 32100-2015 MOD 31 check character for the first 17 USCC characters."""
    s = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - s % 31) % 31]


def org_code_check(body8: str) -> str:
    """Return the GB 11714 organisation-code check character for 8 body characters."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    s = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    c = 11 - s % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def hkid_check(prefix: str, digits6: str) -> str:
    """Return the HKID check character for 1-2 letters plus 6 digits."""
    letters = prefix.rjust(2)  # a single letter is padded with a space (value 36)
    values = [36 if c == " " else ord(c) - ord("A") + 10 for c in letters]
    values += [int(c) for c in digits6]
    s = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True))
    c = (11 - s % 11) % 11
    return "A" if c == 10 else str(c)


# letter -> two-digit area value; I, O, W and Z are out of sequence
_TW_LETTER = {c: 10 + i for i, c in enumerate("ABCDEFGHJKLMNPQRSTUVXY")} | {
    "W": 32,
    "Z": 33,
    "I": 34,
    "O": 35,
}


def twid_check(body9: str) -> str:
    """Return the Taiwan national ID check digit for a letter plus 8 digits."""
    n = _TW_LETTER[body9[0]]
    s = (n // 10) + (n % 10) * 9
    s += sum(int(c) * w for c, w in zip(body9[1:], range(8, 0, -1), strict=True))
    return str((10 - s % 10) % 10)


_VIN_VALUES = {str(d): d for d in range(10)} | dict(
    zip(
        "ABCDEFGHJKLMNPRSTUVWXYZ",
        [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9],
        strict=True,
    )
)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


def vin_check(vin17: str) -> str:
    """Return the ISO 3779 check character for a 17-character VIN (position 9 is ignored)."""
    r = sum(_VIN_VALUES[c] * w for c, w in zip(vin17, _VIN_WEIGHTS, strict=True)) % 11
    return "X" if r == 10 else str(r)


def isbn13_check(body12: str) -> str:
    """Return the ISBN-13 (EAN-13) check digit."""
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body12))
    return str((10 - s % 10) % 10)


# --------------------------------------------------------------------------------------------
# Hand-written pools
# --------------------------------------------------------------------------------------------

SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("袁", "yuan"),
    ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"), ("杜", "du"), ("叶", "ye"),
    ("程", "cheng"), ("苏", "su"), ("魏", "wei"), ("吕", "lv"), ("丁", "ding"), ("任", "ren"),
    ("沈", "shen"), ("欧阳", "ouyang"), ("司马", "sima"), ("上官", "shangguan"),
]  # fmt: skip

GIVEN = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"),
    ("玉", "yu"), ("兰", "lan"), ("建", "jian"), ("国", "guo"), ("文", "wen"), ("辉", "hui"),
    ("婷", "ting"), ("宇", "yu"), ("浩", "hao"), ("鑫", "xin"), ("欣", "xin"), ("佳", "jia"),
    ("怡", "yi"), ("子", "zi"), ("涵", "han"), ("梓", "zi"), ("轩", "xuan"), ("睿", "rui"),
    ("晨", "chen"), ("雨", "yu"), ("思", "si"), ("博", "bo"), ("嘉", "jia"), ("俊", "jun"),
    ("瑶", "yao"), ("琳", "lin"), ("晓", "xiao"), ("海", "hai"), ("鹏", "peng"), ("飞", "fei"),
    ("雪", "xue"), ("梅", "mei"), ("琴", "qin"), ("云", "yun"), ("志", "zhi"), ("春", "chun"),
]  # fmt: skip

# GB/T 2260 county code, province, city (None for municipalities), district, first birth year
# for which python-stdnum's historical code table accepts the code.
AREAS = [
    ("110105", "北京市", None, "朝阳区", 1950),
    ("110108", "北京市", None, "海淀区", 1950),
    ("110102", "北京市", None, "西城区", 1950),
    ("120103", "天津市", None, "河西区", 1950),
    ("310104", "上海市", None, "徐汇区", 1950),
    ("310105", "上海市", None, "长宁区", 1950),
    ("310106", "上海市", None, "静安区", 1950),
    ("500103", "重庆市", None, "渝中区", 1998),
    ("130104", "河北省", "石家庄市", "桥西区", 1984),
    ("210103", "辽宁省", "沈阳市", "沈河区", 1984),
    ("220104", "吉林省", "长春市", "朝阳区", 1984),
    ("230102", "黑龙江省", "哈尔滨市", "道里区", 1984),
    ("320102", "江苏省", "南京市", "玄武区", 1984),
    ("320106", "江苏省", "南京市", "鼓楼区", 1984),
    ("330106", "浙江省", "杭州市", "西湖区", 1984),
    ("330108", "浙江省", "杭州市", "滨江区", 1997),
    ("350203", "福建省", "厦门市", "思明区", 1984),
    ("360102", "江西省", "南昌市", "东湖区", 1984),
    ("370102", "山东省", "济南市", "历下区", 1984),
    ("370202", "山东省", "青岛市", "市南区", 1984),
    ("410105", "河南省", "郑州市", "金水区", 1984),
    ("420106", "湖北省", "武汉市", "武昌区", 1984),
    ("430102", "湖南省", "长沙市", "芙蓉区", 1996),
    ("440103", "广东省", "广州市", "荔湾区", 1984),
    ("440106", "广东省", "广州市", "天河区", 1986),
    ("440305", "广东省", "深圳市", "南山区", 1990),
    ("440304", "广东省", "深圳市", "福田区", 1990),
    ("440306", "广东省", "深圳市", "宝安区", 1993),
    ("450102", "广西壮族自治区", "南宁市", "兴宁区", 1984),
    ("510107", "四川省", "成都市", "武侯区", 1990),
    ("520102", "贵州省", "贵阳市", "南明区", 1984),
    ("530102", "云南省", "昆明市", "五华区", 1984),
    ("610113", "陕西省", "西安市", "雁塔区", 1984),
    ("620102", "甘肃省", "兰州市", "城关区", 1984),
]  # fmt: skip
LEGACY_AREAS = [a for a in AREAS if a[4] == 1950]  # 15-digit IDs: born 19xx, old codes

ROADS = [
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "长江路", "黄河路", "文化路",
    "青年路", "胜利路", "光明路", "朝阳路", "学院路", "科技路", "滨江路", "南京路", "北京路",
    "东风路", "复兴路", "花园路", "工业路", "迎宾路", "振兴路", "金融街", "软件园路",
]  # fmt: skip
ESTATES = [
    "阳光花园", "翠苑小区", "金色家园", "幸福里", "绿地公馆", "锦绣华庭", "海景湾", "书香苑",
    "万科城", "碧桂园", "紫金苑", "春晓花园", "世纪新城", "和谐家园", "御景湾", "枫林苑",
]  # fmt: skip

EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com", "corp.example"]

MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "195", "198", "199",
]  # fmt: skip

UNIONPAY_IINS = ["621700", "622202", "622848", "621226", "622700", "621483", "622588", "621661"]

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O

PLAIN_REMARKS = [
    "客户要求周末送货。", "已电话回访，客户对服务满意。", "发票抬头需改为公司名称。",
    "老客户，享受会员九五折。", "收货地址已于上月变更。", "客户反馈包装破损，已补发。",
    "请勿在工作日中午配送。", "首次下单，赠送试用装一份。", "退货申请已审核通过。",
    "客户希望开具电子发票。", "积分兑换优惠券已到账。", "物流延迟，已致歉并补偿5元红包。",
    "客户咨询会员等级规则。", "订单合并发货。", "需要礼品包装并附贺卡。",
    "客户表示价格偏高，暂不续费。", "已加入VIP客户群。", "投诉已处理完毕，结案。",
    "商品缺货，预计3月20日到货。", "客户要求更换为黑色款。", "门卫代收即可。",
    "快递放丰巢柜。", "客户对新品很感兴趣。", "本次共购买2件，金额128.50元。",
]  # fmt: skip


def _rng(seed: int) -> random.Random:
    return random.Random(seed)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


# --------------------------------------------------------------------------------------------
# Value builders
# --------------------------------------------------------------------------------------------


def make_name(rng: random.Random) -> tuple[str, str, str]:
    """Return (Chinese name, surname pinyin, given-name pinyin)."""
    sur, sur_py = rng.choice(SURNAMES)
    parts = [rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))]
    return sur + "".join(p[0] for p in parts), sur_py, "".join(p[1] for p in parts)


def make_email(rng: random.Random, sur_py: str, given_py: str) -> str:
    form = rng.randrange(4)
    if form == 0:
        local = f"{sur_py}{given_py}"
    elif form == 1:
        local = f"{sur_py}.{given_py}"
    elif form == 2:
        local = f"{given_py}{sur_py}{rng.randint(1, 99)}"
    else:
        local = f"{sur_py}_{given_py}{rng.randint(1970, 2005)}"
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def make_address(rng: random.Random) -> str:
    _, prov, city, district, _ = rng.choice(AREAS)
    head = prov + (city or "") + district
    return (
        f"{head}{rng.choice(ROADS)}{rng.randint(1, 999)}号{rng.choice(ESTATES)}"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
        f"{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
    )


def make_mobile(rng: random.Random) -> str:
    """A plain 11-digit mobile number from an assigned prefix."""
    return rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)


def format_mobile(number: str, style: str) -> str:
    if style == "intl":
        return f"+86 {number[:3]} {number[3:7]} {number[7:]}"
    if style == "dash":
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return number


def make_resident_id(
    rng: random.Random,
    *,
    born_from: dt.date | None = None,
    born_to: dt.date = dt.date(2005, 12, 31),
    want_x: bool = False,
    areas: Sequence[tuple] = AREAS,
) -> str:
    """A valid 18-digit resident ID (MOD 11-2). ``want_x`` forces an ``X`` check character."""
    code, *_, min_year = rng.choice(areas)
    start = max(born_from or dt.date(1950, 1, 1), dt.date(min_year, 1, 1))
    birth = _rand_date(rng, start, born_to)
    while True:
        body = code + birth.strftime("%Y%m%d") + _digits(rng, 3)
        check = mod11_2_check(body)
        if not want_x or check == "X":
            return body + check


def make_legacy_id(rng: random.Random) -> str:
    """A first-generation 15-digit ID (YYMMDD birth date, no check digit), born 1950-1984."""
    code = rng.choice(LEGACY_AREAS)[0]
    birth = _rand_date(rng, dt.date(1950, 1, 1), dt.date(1984, 12, 31))
    return code + birth.strftime("%y%m%d") + _digits(rng, 3)


def make_unionpay(rng: random.Random, length: int) -> str:
    payload = rng.choice(UNIONPAY_IINS) + _digits(rng, length - 7)
    return payload + luhn_check(payload)


def group4(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def make_order_number(rng: random.Random) -> str:
    """An 18-digit order number: fails MOD 11-2 *and* Luhn (hard negative for ID and card)."""
    while True:
        if rng.random() < 0.5:  # ID look-alike: valid area and date, wrong check digit
            ident = make_resident_id(rng)
            wrong = [d for d in "0123456789" if d != ident[-1]]
            number = ident[:17] + rng.choice(wrong)
        else:  # date-prefixed shop order number
            day = _rand_date(rng, dt.date(2023, 1, 1), dt.date(2025, 12, 31))
            number = day.strftime("%Y%m%d") + _digits(rng, 10)
        if mod11_2_check(number[:17]) != number[-1] and not luhn_valid(number):
            return number


def make_uscc(rng: random.Random) -> str:
    """A valid 18-character USCC (registration authority 9 = market regulator, type 1 = company)."""
    while True:
        code = rng.choice(AREAS)[0]
        if rng.random() < 0.6:  # new-style organisation code "MA…"
            org = "MA" + "".join(rng.choice(USCC_ALPHABET[:-5]) for _ in range(6))
        else:  # legacy all-digit organisation code
            org = _digits(rng, 8)
        org += org_code_check(org)
        body = "91" + code + org
        uscc = body + uscc_check(body)
        # keep all-digit codes away from ID/card look-alikes so the column stays a clean negative
        if uscc.isdigit() and (mod11_2_check(uscc[:17]) == uscc[-1] or luhn_valid(uscc)):
            continue
        return uscc


def make_landline(rng: random.Random) -> str:
    area = rng.choice(["010", "021", "020", "022", "025", "027", "028", "0755", "0571", "0512"])
    subscriber = rng.choice("2345678") + _digits(rng, 7)
    style = rng.randrange(4)
    if style == 0:
        return f"{area}-{subscriber}"
    if style == 1:
        return f"({area}){subscriber}"
    if style == 2:
        return f"{area}-{subscriber}-{rng.randint(100, 8999)}"  # with extension
    return f"{area} {subscriber[:4]} {subscriber[4:]}"


def make_imei(rng: random.Random) -> str:
    payload = "86" + _digits(rng, 12)  # TAC 86xxxxxx + serial
    return payload + luhn_check(payload)


def make_mac(rng: random.Random) -> str:
    first = (rng.randrange(256) & 0b11111100) | 0b10  # locally administered, unicast
    octets = [first] + [rng.randrange(256) for _ in range(5)]
    if rng.random() < 0.8:
        return ":".join(f"{o:02x}" for o in octets)
    return "-".join(f"{o:02X}" for o in octets)


_CN_V4_FIRST_OCTETS = [36, 39, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117]
_CN_V4_FIRST_OCTETS += [119, 120, 121, 122, 123, 124, 125, 180, 182, 183, 218, 219, 220, 221, 222]


def make_ipv4(rng: random.Random) -> str:
    while True:
        ip = ipaddress.IPv4Address(
            (rng.choice(_CN_V4_FIRST_OCTETS) << 24)
            | (rng.randrange(256) << 16)
            | (rng.randrange(256) << 8)
            | rng.randrange(1, 255)
        )
        if ip.is_global:
            return str(ip)


def make_ipv6(rng: random.Random) -> str:
    prefix = rng.choice([0x240E, 0x2408, 0x2409])  # Chinese carriers' allocations
    rest = rng.getrandbits(112)
    return str(ipaddress.IPv6Address((prefix << 112) | rest))


_WMIS = ["LSV", "LFV", "LSG", "LBV", "LVS", "LHG", "LVG", "LDC", "LGB", "LGX"]
_VIN_YEARS = "EFGHJKLMNPRS"  # model years 2014-2025


def make_vin(rng: random.Random) -> str:
    vds = "".join(rng.choice(VIN_CHARS) for _ in range(5))
    vis = rng.choice(_VIN_YEARS) + rng.choice(VIN_CHARS) + _digits(rng, 6)
    draft = rng.choice(_WMIS) + vds + "0" + vis
    return draft[:8] + vin_check(draft) + draft[9:]


def make_plate(rng: random.Random) -> str:
    prov, letter = rng.choice(PLATE_PROVINCES), rng.choice(PLATE_LETTERS)
    if rng.random() < 0.3:  # new-energy small vehicle: D (electric) / F (hybrid) + 5
        second = rng.choice("0123456789" * 3 + PLATE_LETTERS)
        return prov + letter + rng.choice("DF") + second + _digits(rng, 4)
    tail = list(_digits(rng, 5))
    if rng.random() < 0.3:
        tail[rng.randrange(5)] = rng.choice(PLATE_LETTERS)
    return prov + letter + "".join(tail)


def make_hkid(rng: random.Random) -> str:
    prefix = rng.choice("ABCDEGHKMPRVYZ") if rng.random() < 0.85 else rng.choice(["XA", "XB", "WX"])
    digits = _digits(rng, 6)
    return f"{prefix}{digits}({hkid_check(prefix, digits)})"


def make_twid(rng: random.Random) -> str:
    body = rng.choice("ABCDEFGHJKLMNPQRSTUVXYWZIO") + rng.choice("12") + _digits(rng, 7)
    return body + twid_check(body)


_PR_COUNTRIES = [("840", "USA"), ("826", "GBR"), ("276", "DEU"), ("250", "FRA"), ("392", "JPN")]
_PR_COUNTRIES += [("410", "KOR"), ("036", "AUS"), ("124", "CAN"), ("643", "RUS"), ("702", "SGP")]


_LATIN_SURNAMES = ["SMITH", "MULLER", "MARTIN", "BROWN", "SATO", "KIM", "LEE", "PETROV", "TAN"]
_LATIN_GIVEN = ["JOHN", "ANNA", "MICHAEL", "EMMA", "LUCAS", "SOPHIE", "DAVID", "YUKI", "MINJUN"]


def make_foreign_pr_id(rng: random.Random) -> tuple[str, str]:
    """New (2023) 18-digit foreigner permanent-residence ID: 9 + province + country + date + seq."""
    numeric, alpha3 = rng.choice(_PR_COUNTRIES)
    province = rng.choice(["11", "31", "44", "32", "33"])
    birth = _rand_date(rng, dt.date(1960, 1, 1), dt.date(2000, 12, 31))
    body = "9" + province + numeric + birth.strftime("%Y%m%d") + _digits(rng, 3)
    return body + mod11_2_check(body), alpha3


def make_isbn(rng: random.Random) -> str:
    body = "9787" + _digits(rng, 8)
    isbn = body + isbn13_check(body)
    if rng.random() < 0.3:
        return f"{isbn[:3]}-{isbn[3]}-{isbn[4:7]}-{isbn[7:12]}-{isbn[12]}"
    return isbn


def make_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _iso_ts(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randrange(span))


_CST = dt.timezone(dt.timedelta(hours=8))


def _to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in s)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def _csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def build_customers(seed: int = 20260101, n: int = 200) -> tuple[str, dict]:
    """Return the text of customers.csv and a summary of what was planted."""
    rng = _rng(seed)
    legacy_rows = set(rng.sample(range(n), 5))
    minor_rows = set(rng.sample(sorted(set(range(n)) - legacy_rows), 3))
    remark_rows = rng.sample(range(n), 30)  # 15 % of rows get an embedded phone / ID
    lower_x_rows: set[int] = set()
    summary: dict = {"rows": n, "legacy_15": len(legacy_rows), "minors": [], "x_check": 0}

    rows = []
    for i in range(n):
        name, sur_py, given_py = make_name(rng)
        if i in legacy_rows:
            rid = make_legacy_id(rng)
        elif i in minor_rows:
            rid = make_resident_id(
                rng, born_from=dt.date(2013, 3, 1), born_to=dt.date(2019, 12, 31)
            )
            summary["minors"].append(rid)
        else:
            rid = make_resident_id(rng, want_x=(i % 10 == 3))
            if rid.endswith("X") and len(lower_x_rows) < 2 and i > 100:
                rid = rid[:-1] + "x"  # lower-case x occurs in real exports
                lower_x_rows.add(i)
        summary["x_check"] += rid[-1] in "Xx"
        style = rng.choices(["plain", "intl", "dash"], weights=[6, 2, 2])[0]
        phone = format_mobile(make_mobile(rng), style)
        card = make_unionpay(rng, rng.choice((19, 19, 16)))
        if rng.random() < 0.1:
            card = group4(card)
        registered = _iso_ts(
            rng, dt.datetime(2019, 1, 1, tzinfo=_CST), dt.datetime(2025, 12, 31, tzinfo=_CST)
        )
        remark = rng.choice(PLAIN_REMARKS)
        if i in minor_rows:
            remark = "未成年人账户，监护人已书面同意。" + remark
        rows.append(
            [
                f"C{i + 1:06d}",
                name,
                rid,
                phone,
                make_email(rng, sur_py, given_py),
                make_address(rng),
                card,
                registered.isoformat(),
                make_order_number(rng),
                remark,
            ]
        )

    embed_templates: list[tuple[str, Callable[[], str]]] = [
        ("请拨打{}联系", lambda: make_mobile(rng)),
        ("客户留了备用电话{}晚上打", lambda: make_mobile(rng)),
        ("紧急联系人手机{}", lambda: make_mobile(rng)),
        ("改为联系{}收货", lambda: make_mobile(rng)),
        ("代收人身份证{}已核验", lambda: make_resident_id(rng)),
        ("开票人证件号{}请核对", lambda: make_resident_id(rng, want_x=True)),
        ("身份证号码{}与姓名一致", lambda: make_resident_id(rng)),
    ]
    for k, i in enumerate(remark_rows):
        if k == 0:
            snippet = "请拨打" + _to_fullwidth(make_mobile(rng)) + "联系"  # full-width digits
        elif k == 1:
            snippet = "客户新号码+86 " + format_mobile(make_mobile(rng), "intl")[4:] + "，白天可打"
        else:
            template, value = embed_templates[k % len(embed_templates)]
            snippet = template.format(value())
        rows[i][9] = rows[i][9] + snippet + "。"
    summary["remarks_with_pi"] = len(remark_rows)

    header = ["客户编号", "姓名", "身份证号", "手机号", "email", "地址", "银行卡号", "注册时间"]
    header += ["订单号", "备注"]
    return _csv_text(header, rows), summary


def build_orders(seed: int = 20260102, n: int = 100) -> tuple[str, dict]:
    """Return the text of orders_gbk.csv (to be encoded as GB18030) and a summary."""
    rng = _rng(seed)
    sellers = [make_uscc(rng) for _ in range(12)]
    start = dt.datetime(2025, 1, 1, tzinfo=_CST)
    rows = []
    landlines = 0
    for i in range(n):
        placed = _iso_ts(rng, start, dt.datetime(2025, 12, 31, tzinfo=_CST))
        ts_ms = int(placed.timestamp()) * 1000 + rng.randrange(1000)
        if rng.random() < 0.4:
            phone = make_landline(rng)
            landlines += 1
        else:
            phone = format_mobile(make_mobile(rng), rng.choice(["plain", "plain", "dash"]))
        amount = f"{rng.randint(5, 5000)}.{rng.randrange(100):02d}"
        rows.append(
            [
                f"SO{placed:%Y%m%d}{i + 1:05d}",
                str(ts_ms),
                make_name(rng)[0],
                phone,
                make_address(rng),
                amount,
                rng.choice(sellers),
            ]
        )
    header = ["订单号", "下单时间", "收货人", "联系电话", "收货地址", "金额", "统一社会信用代码"]
    return _csv_text(header, rows), {"rows": n, "landlines": landlines, "sellers": len(sellers)}


def build_devices(seed: int = 20260103, n: int = 100) -> tuple[str, dict]:
    """Return the text of devices.jsonl and a summary."""
    rng = _rng(seed)
    lines = []
    ipv6 = 0
    for i in range(n):
        _, sur_py, given_py = make_name(rng)
        use_v6 = rng.random() < 0.2
        ipv6 += use_v6
        record = {
            "device": {
                "imei": make_imei(rng),
                "mac": make_mac(rng),
                "os": rng.choice(["Android 14", "Android 13", "HarmonyOS 4.2.0", "Android 12"]),
            },
            "user": {
                "id": f"u{100000 + i * 37 + rng.randrange(37)}",
                "email": make_email(rng, sur_py, given_py),
                "ip": make_ipv6(rng) if use_v6 else make_ipv4(rng),
            },
            "vin": make_vin(rng),
            "plate": make_plate(rng),
            "app_version": f"{rng.randint(1, 5)}.{rng.randint(0, 12)}.{rng.randint(0, 20)}",
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n", {"rows": n, "ipv6": ipv6}


def build_travellers(seed: int = 20260104, n: int = 100) -> tuple[pa.Table, dict]:
    """Return the travellers table and a summary."""
    rng = _rng(seed)
    kinds = ["内地居民"] * 40 + ["香港居民"] * 20 + ["澳门居民"] * 8 + ["台湾居民"] * 16
    kinds += ["外国人"] * 16
    rng.shuffle(kinds)
    cols: dict[str, list[str | None]] = {
        k: []
        for k in [
            "traveller_id", "name", "traveller_type", "nationality", "passport_no",
            "hk_macao_permit_no", "home_return_permit_no", "taiwan_compatriot_permit_no",
            "hkid", "taiwan_id", "foreign_pr_id", "isbn", "uuid",
        ]
    }  # fmt: skip
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    for i, kind in enumerate(kinds[:n]):
        row: dict[str, str | None] = dict.fromkeys(cols)
        row["traveller_id"] = f"T{i + 1:05d}"
        row["traveller_type"] = kind
        if kind == "外国人":
            row["foreign_pr_id"], row["nationality"] = make_foreign_pr_id(rng)
            row["name"] = f"{rng.choice(_LATIN_SURNAMES)} {rng.choice(_LATIN_GIVEN)}"
        else:
            row["name"] = make_name(rng)[0]
            row["nationality"] = "CHN"
        if kind == "内地居民":
            row["passport_no"] = (
                "E" + _digits(rng, 8)
                if rng.random() < 0.5
                else "E" + rng.choice(letters) + _digits(rng, 7)
            )
            row["hk_macao_permit_no"] = (
                "C" + _digits(rng, 8)
                if rng.random() < 0.5
                else "C" + rng.choice(letters) + _digits(rng, 7)
            )
        elif kind in ("香港居民", "澳门居民"):
            lifetime = ("H" if kind == "香港居民" else "M") + _digits(rng, 8)
            row["home_return_permit_no"] = (
                lifetime + f"{rng.randint(0, 3):02d}" if rng.random() < 0.7 else lifetime
            )
            if kind == "香港居民":
                row["hkid"] = make_hkid(rng)
        elif kind == "台湾居民":
            row["taiwan_compatriot_permit_no"] = _digits(rng, 8)
            row["taiwan_id"] = make_twid(rng)
        row["isbn"] = make_isbn(rng)
        row["uuid"] = make_uuid(rng)
        for k, v in row.items():
            cols[k].append(v)
    schema = pa.schema([(k, pa.string()) for k in cols])
    table = pa.table(cols, schema=schema)
    return table, {"rows": n, "by_type": {k: kinds.count(k) for k in sorted(set(kinds))}}


def build_chat(seed: int = 20260105) -> tuple[str, dict]:
    """Return the text of support_chat.txt and a summary."""
    rng = _rng(seed)
    hotline = f"400-{rng.randint(600, 899)}-{rng.randint(1000, 9999)}"
    lines: list[str] = []

    def conv(day: dt.date, start: dt.time, turns: list[tuple[str, str]]) -> None:
        t = dt.datetime.combine(day, start)
        lines.append(f"=== 会话 {day:%Y%m%d}-{rng.randint(1000, 9999)} ===")
        for who, text in turns:
            t += dt.timedelta(seconds=rng.randint(8, 95))
            lines.append(f"[{t:%Y-%m-%d %H:%M:%S}] {who}：{text}")

    agent = "客服小陈(工号A1027)"
    user = "客户"
    order1, order2 = make_order_number(rng), make_order_number(rng)
    card = make_unionpay(rng, 19)
    rid_x = make_resident_id(rng, want_x=True)
    conv(
        dt.date(2026, 3, 2),
        dt.time(9, 14, 5),
        [
            (agent, "您好，这里是在线客服，请问有什么可以帮您？"),
            (user, f"我要退款，订单号{order1}，昨天下的单"),
            (agent, "好的，为了核实身份，请提供下单人的身份证号。"),
            (user, f"身份证{rid_x}麻烦尽快处理"),
            (agent, "已核实。退款将原路退回，请确认收款卡号。"),
            (user, f"卡号{card}，是工行的"),
            (agent, f"收到，预计1-3个工作日到账。如有疑问请拨打{hotline}。"),
            (user, "好的谢谢"),
            (agent, "不客气，祝您生活愉快！"),
        ],
    )
    m1, m2, m3 = make_mobile(rng), make_mobile(rng), make_mobile(rng)
    conv(
        dt.date(2026, 3, 2),
        dt.time(14, 40, 51),
        [
            (agent, "您好，请问有什么可以帮您？"),
            (user, "我想把账号绑定的手机换一下"),
            (agent, "请提供原手机号和新手机号。"),
            (user, f"原来的是{_to_fullwidth(m1)}，新的是+86 {m2[:3]} {m2[3:7]} {m2[7:]}"),
            (agent, "验证码已发送到新号码，请告诉我4位验证码。"),
            (user, "5821"),
            (agent, "绑定成功。另外请问紧急联系人需要更新吗？"),
            (user, f"紧急联系人改成我爱人{m3}吧"),
            (agent, "已更新。"),
        ],
    )
    _, sp, gp = make_name(rng)
    email = make_email(rng, sp, gp)
    order3 = make_order_number(rng)
    conv(
        dt.date(2026, 3, 3),
        dt.time(10, 2, 11),
        [
            (user, "APP一直闪退，版本3.10.2，安卓14"),
            (agent, "请问是在哪个页面闪退？方便截图发到邮箱吗？"),
            (user, f"发到哪个邮箱？我的邮箱是{email}"),
            (agent, "请发送至 support@example.com ，并注明订单号。"),
            (user, f"订单号{order3}，时间戳1741{_digits(rng, 9)}左右闪退的"),
            (agent, "收到，技术同事排查后回复您。建议先升级到3.10.5版本。"),
            (user, "升级了，还是不行，build 20260303.1"),
            (agent, "已提交工单 #48213，48小时内回复。"),
            (user, "行"),
        ],
    )
    landline = make_landline(rng)
    addr = make_address(rng)
    m4 = make_mobile(rng)
    conv(
        dt.date(2026, 3, 4),
        dt.time(16, 20, 0),
        [
            (user, "快递能不能改地址？"),
            (agent, f"可以的，请提供订单号。订单号{order2}是您的吗？"),
            (user, f"对，改到{addr}"),
            (agent, "好的，收件电话需要修改吗？"),
            (user, f"白天打公司座机{landline}，晚上打{m4}"),
            (agent, "已修改，预计3月6日送达。"),
            (user, "运费要补吗"),
            (agent, "不用的，本次免运费。"),
            (user, "好"),
            (agent, "感谢您的耐心等待。"),
        ],
    )
    child = make_resident_id(rng, born_from=dt.date(2014, 1, 1), born_to=dt.date(2018, 12, 31))
    parent = make_resident_id(rng)
    conv(
        dt.date(2026, 3, 5),
        dt.time(11, 5, 30),
        [
            (user, "我要给孩子办一个儿童账户"),
            (agent, "请提供孩子的身份证号和监护人的身份证号。"),
            (user, f"孩子的是{child}，我的是{parent}"),
            (agent, "已登记。根据规定，儿童个人信息需监护人同意，请在APP内签署同意书。"),
            (user, "在哪里签？"),
            (agent, "我的-设置-隐私-儿童个人信息保护，版本需2.8.0以上。"),
            (user, "找到了，已经签了"),
            (agent, "好的，审核通过后会短信通知您。"),
        ],
    )
    m5, m6 = make_mobile(rng), make_mobile(rng)
    card16 = make_unionpay(rng, 16)
    _, sp, gp = make_name(rng)
    email2 = make_email(rng, sp, gp)
    conv(
        dt.date(2026, 3, 6),
        dt.time(20, 45, 17),
        [
            (user, f"你好我手机号{m5}登录不上了"),
            (agent, "请问提示什么错误？"),
            (user, "错误码 E1024，提示账号异常"),
            (agent, "为了安全请提供注册邮箱。"),
            (user, f"{email2}"),
            (agent, "已为您解除锁定，请重新登录。"),
            (user, f"还有，信用卡卡号{group4(card16)}能绑定吗"),
            (agent, "可以，在钱包里添加即可。"),
            (user, f"好的，另外我朋友电话{m6[:3]}-{m6[3:7]}-{m6[7:]}也想注册"),
            (agent, f"请他下载APP注册，或拨打{hotline}咨询。"),
            (user, "好的，谢谢"),
        ],
    )
    return "\n".join(lines) + "\n", {"lines": len(lines), "hotline": hotline}


def write_all(out_dir: Path = OUT_DIR) -> dict[str, dict]:
    """Write every sample file into ``out_dir`` and return per-file summaries."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, dict] = {}

    text, summaries["customers.csv"] = build_customers()
    (out_dir / "customers.csv").write_bytes(text.encode("utf-8"))

    text, summaries["orders_gbk.csv"] = build_orders()
    (out_dir / "orders_gbk.csv").write_bytes(text.encode("gb18030"))

    text, summaries["devices.jsonl"] = build_devices()
    (out_dir / "devices.jsonl").write_bytes(text.encode("utf-8"))

    table, summaries["travellers.parquet"] = build_travellers()
    pq.write_table(table, out_dir / "travellers.parquet", compression="zstd")

    text, summaries["support_chat.txt"] = build_chat()
    (out_dir / "support_chat.txt").write_bytes(text.encode("utf-8"))
    return summaries


# --------------------------------------------------------------------------------------------
# Optional self-check against independent oracles (python-stdnum, phonenumbers)
# --------------------------------------------------------------------------------------------


def _known_vectors() -> None:
    """Check our own algorithms against the worked examples in the reference document."""
    assert mod11_2_check("11010519900307123") == "9"
    assert mod11_2_check("11010519900307101") == "X"
    assert luhn_check("621700000000000000") == "4"
    assert uscc_check("91110000600037341") == "L"
    assert org_code_check("MA01AB3C") == "X"
    assert hkid_check("A", "123456") == "3"
    assert hkid_check("XA", "000001") == "6"
    assert twid_check("A12345678") == "9"
    assert vin_check("1M8GDM9A0KP042788") == "X"
    assert isbn13_check("978711542802") == "8"


def self_check(out_dir: Path = OUT_DIR) -> list[str]:
    """Validate the written files with stdnum/phonenumbers; return a list of problems."""
    _known_vectors()
    try:
        import phonenumbers
        from stdnum import imei, isbn, luhn, mac
        from stdnum.cn import ric, uscc
        from stdnum.iso7064 import mod_11_2
    except ImportError as exc:  # the oracles are test-only dependencies
        print(f"self-check skipped ({exc})")
        return []
    problems: list[str] = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    def mobile_ok(s: str) -> bool:
        p = phonenumbers.parse(s.replace("-", ""), "CN")
        return phonenumbers.number_type(p) == phonenumbers.PhoneNumberType.MOBILE

    with open(out_dir / "customers.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            rid = r["身份证号"]
            if len(rid) == 18:
                expect(ric.is_valid(rid), f"ID {rid}")
            else:
                up = rid[:6] + "19" + rid[6:]
                expect(ric.is_valid(up + ric.calc_check_digit(up + "0")), f"legacy {rid}")
            expect(mobile_ok(r["手机号"]), f"mobile {r['手机号']}")
            card = r["银行卡号"].replace(" ", "")
            expect(luhn.is_valid(card) and card.startswith("62"), f"card {card}")
            order = r["订单号"]
            expect(not mod_11_2.is_valid(order) and not luhn.is_valid(order), f"order {order}")
    with open(out_dir / "orders_gbk.csv", encoding="gb18030", newline="") as fh:
        for r in csv.DictReader(fh):
            expect(uscc.is_valid(r["统一社会信用代码"]), f"uscc {r['统一社会信用代码']}")
            num = r["联系电话"]
            digits = num.replace("(", "").replace(")", "").replace(" ", "")
            parts = digits.split("-")
            if num.startswith("1"):
                expect(mobile_ok(num), f"mobile {num}")
            else:
                base = "".join(parts[:2]) if len(parts) >= 2 else parts[0]
                p = phonenumbers.parse(base, "CN")
                expect(phonenumbers.is_valid_number(p), f"landline {num}")
            expect(len(r["下单时间"]) == 13, "timestamp")
    for line in (out_dir / "devices.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        expect(imei.is_valid(rec["device"]["imei"]), f"imei {rec['device']['imei']}")
        expect(mac.is_valid(rec["device"]["mac"]), f"mac {rec['device']['mac']}")
        expect(ipaddress.ip_address(rec["user"]["ip"]).is_global, f"ip {rec['user']['ip']}")
        expect(vin_check(rec["vin"]) == rec["vin"][8], f"vin {rec['vin']}")
    t = pq.read_table(out_dir / "travellers.parquet").to_pylist()
    for r in t:
        expect(isbn.is_valid(r["isbn"]), f"isbn {r['isbn']}")
        if r["foreign_pr_id"]:
            expect(mod_11_2.is_valid(r["foreign_pr_id"]), f"pr {r['foreign_pr_id']}")
        if r["hkid"]:
            h = r["hkid"]
            expect(hkid_check(h[:-9], h[-9:-3]) == h[-2], f"hkid {h}")
        if r["taiwan_id"]:
            expect(twid_check(r["taiwan_id"][:9]) == r["taiwan_id"][9], "twid")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    parser.add_argument("--no-check", action="store_true", help="skip the oracle self-check")
    args = parser.parse_args(argv)
    summaries = write_all(args.out)
    total = 0
    for name, summary in summaries.items():
        size = (args.out / name).stat().st_size
        total += size
        print(f"{name:22s} {size:7,d} B  {json.dumps(summary, ensure_ascii=False)}")
    print(f"{'total':22s} {total:7,d} B")
    if not args.no_check:
        problems = self_check(args.out)
        if problems:
            print(f"self-check FAILED ({len(problems)}):", *problems[:20], sep="\n  ")
            return 1
        print("self-check ok (stdnum / phonenumbers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
