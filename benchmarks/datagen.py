"""Fast, vectorized generator of a mixed synthetic PI table for benchmarks.

The table mirrors the data set described in ``perf-measurements.md`` (9 string columns, about
220 bytes of UTF-8 per row). It is built without Faker and without any per-row Python. Small
hand-written pools (names, address parts, sentences) are combined by random indices with
``pyarrow.compute``. Identifiers are built as NumPy digit matrices, and their check digits
(ISO 7064 MOD 11-2, Luhn) are computed over whole matrices. One million rows take a few seconds.

Columns (all ``string``):

``name``         Chinese name: surname plus 1-2 given-name characters
``resident_id``  valid 18-digit ID (GB/T 2260 area, real birth date, MOD 11-2); ~1/11 end in X
``phone``        11-digit mobile number from an assigned prefix
``email``        pinyin local part @ a reserved example domain
``address``      province/city/district + road + number; 30% add estate, building and room
``bank_card``    Luhn-valid: 25% UnionPay 62… 16 digits, 25% 62… 19 digits, 50% 4…/5… 16 digits
``remarks``      1-3 Chinese sentences. One number is glued to Hanzi in: 10% phone, 2% ``+86 `` +
                 phone, 5% resident ID, 3% email, 3% card, 3% invalid 18-digit order number,
                 3% 13-digit ms timestamp (at most one insert per row)
``order_id``     18-digit hard negative with a wrong MOD 11-2 check digit: half are real IDs with a
                 corrupted check digit, half are random (about 10% of them pass Luhn, as before)
``ts_ms``        13-digit millisecond timestamp (hard negative for an unanchored mobile pattern)

The table's schema metadata (key ``pii_scan.datagen``) records the seed and the exact number of
each planted item. That includes the order numbers that happen to pass Luhn, so the expected
counts under the perf-measurements detection rule can be derived exactly.

CLI::

    python benchmarks/datagen.py --rows 1000000 --seed 0 --format parquet   # -> benchmarks/data/
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DATAGEN_VERSION = 1
META_KEY = b"pii_scan.datagen"
DATA_DIR = Path(__file__).resolve().parent / "data"
BLOCK_ROWS = 1_000_000
COLUMNS = [
    "name",
    "resident_id",
    "phone",
    "email",
    "address",
    "bank_card",
    "remarks",
    "order_id",
    "ts_ms",
]

# --------------------------------------------------------------------------------------------
# Pools
# --------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Whitespace-separated pool entries (keeps the long Chinese pools compact)."""
    return text.split()


_SURNAMES = _words(
    "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu "
    "胡hu 郭guo 何he 高gao 林lin 罗luo 郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng "
    "邓deng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 袁yuan 潘pan 于yu 蒋jiang 蔡cai 余yu 杜du "
    "叶ye 程cheng 苏su 魏wei 吕lv 丁ding 任ren 沈shen 姚yao 卢lu 姜jiang 崔cui 钟zhong 谭tan "
    "陆lu 汪wang 范fan 金jin 石shi 廖liao 贾jia 夏xia 韦wei 付fu 方fang 白bai 邹zou 孟meng "
    "熊xiong 秦qin 邱qiu 江jiang 尹yin 薛xue 闫yan 段duan 雷lei 侯hou 龙long 史shi 欧阳ouyang "
    "上官shangguan 司马sima"
)
_GIVEN = _words(
    "伟wei 芳fang 娜na 敏min 静jing 丽li 强qiang 磊lei 军jun 洋yang 勇yong 艳yan 杰jie 娟juan "
    "涛tao 明ming 超chao 秀xiu 霞xia 平ping 刚gang 桂gui 英ying 华hua 玉yu 兰lan 建jian 国guo "
    "文wen 辉hui 婷ting 宇yu 浩hao 鑫xin 欣xin 佳jia 怡yi 子zi 涵han 梓zi 轩xuan 睿rui 晨chen "
    "雨yu 思si 博bo 嘉jia 俊jun 瑶yao 琳lin 晓xiao 海hai 鹏peng 飞fei 雪xue 梅mei 琴qin 云yun "
    "志zhi 春chun 红hong 燕yan 亮liang 成cheng 斌bin 波bo 宁ning 凯kai 帆fan 彤tong 萱xuan "
    "诗shi 悦yue 昊hao 然ran 泽ze 铭ming 晗han 妍yan 楠nan 翔xiang 峰feng 磊lei 岩yan 倩qian "
    "颖ying 洁jie 琪qi 璐lu 航hang 宏hong 毅yi 彬bin 坤kun 伦lun 荣rong 新xin 丹dan 蕾lei"
)


def _split_py(items: list[str]) -> tuple[list[str], list[str]]:
    hanzi = [re.match(r"[^a-z]+", s).group(0) for s in items]
    pinyin = [s[len(h) :] for s, h in zip(items, hanzi, strict=True)]
    return hanzi, pinyin


SURNAME_HZ, SURNAME_PY = _split_py(_SURNAMES)
GIVEN_HZ, GIVEN_PY = _split_py(_GIVEN)

# GB/T 2260 county code, "province+city+district" and the first birth year that python-stdnum's
# historical code table accepts for the code.
AREAS = [
    ("110105", "北京市朝阳区", 1950), ("110108", "北京市海淀区", 1950),
    ("110102", "北京市西城区", 1950), ("110101", "北京市东城区", 1950),
    ("120103", "天津市河西区", 1950), ("120101", "天津市和平区", 1950),
    ("310104", "上海市徐汇区", 1950), ("310105", "上海市长宁区", 1950),
    ("310106", "上海市静安区", 1950), ("310101", "上海市黄浦区", 1950),
    ("500103", "重庆市渝中区", 1998), ("130104", "河北省石家庄市桥西区", 1984),
    ("210103", "辽宁省沈阳市沈河区", 1984), ("220104", "吉林省长春市朝阳区", 1984),
    ("230102", "黑龙江省哈尔滨市道里区", 1984), ("320102", "江苏省南京市玄武区", 1984),
    ("320106", "江苏省南京市鼓楼区", 1984), ("330106", "浙江省杭州市西湖区", 1984),
    ("330108", "浙江省杭州市滨江区", 1997), ("350203", "福建省厦门市思明区", 1984),
    ("360102", "江西省南昌市东湖区", 1984), ("370102", "山东省济南市历下区", 1984),
    ("370202", "山东省青岛市市南区", 1984), ("410105", "河南省郑州市金水区", 1984),
    ("420106", "湖北省武汉市武昌区", 1984), ("430102", "湖南省长沙市芙蓉区", 1996),
    ("440103", "广东省广州市荔湾区", 1984), ("440106", "广东省广州市天河区", 1986),
    ("440305", "广东省深圳市南山区", 1990), ("440304", "广东省深圳市福田区", 1990),
    ("440306", "广东省深圳市宝安区", 1993), ("450102", "广西壮族自治区南宁市兴宁区", 1984),
    ("510107", "四川省成都市武侯区", 1990), ("520102", "贵州省贵阳市南明区", 1984),
    ("530102", "云南省昆明市五华区", 1984), ("610113", "陕西省西安市雁塔区", 1984),
    ("620102", "甘肃省兰州市城关区", 1984),
]  # fmt: skip
ROADS = _words(
    "人民路 解放路 中山路 建设路 和平路 新华路 长江路 黄河路 文化路 青年路 胜利路 光明路 朝阳路 "
    "学院路 科技路 滨江路 南京路 北京路 东风路 复兴路 花园路 工业路 迎宾路 振兴路 金融街 "
    "软件园路 湖滨路 体育路 红旗路 公园路 大学路 府前街 健康路 站前路 友谊路 沿江大道 环城东路"
)
ESTATES = _words(
    "阳光花园 翠苑小区 金色家园 幸福里 绿地公馆 锦绣华庭 海景湾 书香苑 万科城 碧桂园 紫金苑 "
    "春晓花园 世纪新城 和谐家园 御景湾 枫林苑 丽水湾 天鹅湖 名都花园 融创府 银杏苑 星河湾"
)
EMAIL_DOMAINS = [
    "example.com",
    "example.net",
    "example.org",
    "mail.example.com",
    "163.example",
    "qq.example",
]
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 172 173 175 "
    "176 177 178 180 181 182 183 184 185 186 187 188 189 191 195 198 199"
)
# Sentences start and end with Hanzi or CJK punctuation, so an inserted number or e-mail stays
# glued to Chinese text on both sides.
SENTENCES = _words(
    "客户要求周末送货。 已电话回访，客户对服务满意。 "
    "发票抬头需改为公司名称。 老客户，享受会员折扣。 "
    "收货地址已于上月变更。 客户反馈包装破损，已补发。 "
    "请勿在工作日中午配送。 首次下单，赠送试用装。 "
    "退货申请已审核通过。 客户希望开具电子发票。 "
    "积分兑换优惠券已到账。 物流延迟，已致歉并补偿。 "
    "客户咨询会员等级规则。 订单合并发货。 "
    "需要礼品包装并附贺卡。 客户表示价格偏高。 "
    "已加入会员群。 投诉已处理完毕。 "
    "商品缺货，预计下周到货。 客户要求更换为黑色款。 "
    "门卫代收即可。 快递放快递柜。 客户对新品很感兴趣。 "
    "本次共购买两件。 精华液已断货，推荐同系列面霜。 "
    "客户说上次的快递员态度很好。 周一到周五不在家。 "
    "地址写错了，已经改正。 客户要求发顺丰。 "
    "已退款到原支付账户。 客户需要增值税专用发票。 "
    "请在下午三点后送达。 客户询问是否支持分期付款。 "
    "商品有色差，客户接受。 换货已寄出。 请提前电话联系。 "
    "客户是企业采购。 赠品漏发，已补寄。 "
    "客户希望合并运费。 尺码偏小，建议选大一号。 "
    "客户已确认收货。 该客户多次退货，请留意。 "
    "配送员已联系不上客户。 物业不允许快递进入小区。 "
    "客户要求匿名配送。 预售商品，月底发货。"
)
LEADS = {
    "phone": _words("请拨打 电话 联系 回电 手机 找 号码是 已通知 改成 备用"),
    "plus86": _words("电话 手机 海外号 联系 号码"),
    "id": _words("身份证 身份证号 证件号码 证件 身份号 持证人 核验"),
    "email": _words("邮箱 发到 邮件 电子邮箱 抄送"),
    "card": _words("卡号 银行卡 转账到 退款至 尾号有误的卡"),
    "order": _words("订单号 单号 流水号 参考号 运单"),
    "ts": _words("时间 下单于 时间戳 记录 日志"),
}
# (kind, probability) for the single insert a remarks cell may carry
INSERT_KINDS = [
    ("phone", 0.10),
    ("plus86", 0.02),
    ("id", 0.05),
    ("email", 0.03),
    ("card", 0.03),
    ("order", 0.03),
    ("ts", 0.03),
]

# --------------------------------------------------------------------------------------------
# Vectorized checksums and string assembly
# --------------------------------------------------------------------------------------------

MOD11_2_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_LUHN_DOUBLE = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.int64)
_ASCII0 = np.uint8(ord("0"))
_ASCII_X = np.uint8(ord("X"))


def mod11_2_check(body: np.ndarray) -> np.ndarray:
    """MOD 11-2 check values (0-10, 10 means ``X``) for an (n, 17) matrix of digit values."""
    s = body.astype(np.int64) @ MOD11_2_WEIGHTS
    return (12 - s % 11) % 11


def luhn_check(payload: np.ndarray) -> np.ndarray:
    """Luhn check digits for an (n, P) matrix of digit values (rightmost payload digit doubled)."""
    p = payload.shape[1]
    doubled = (p - 1 - np.arange(p)) % 2 == 0
    vals = np.where(doubled, _LUHN_DOUBLE[payload], payload)
    return (10 - vals.sum(axis=1) % 10) % 10


def luhn_valid(digits: np.ndarray) -> np.ndarray:
    """Boolean Luhn validity for an (n, L) matrix of digit values."""
    return luhn_check(digits[:, :-1]) == digits[:, -1]


def _fixed(chars: np.ndarray) -> pa.StringArray:
    """(n, w) uint8 ASCII matrix -> StringArray without copying through Python objects."""
    n, w = chars.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _ragged(n: int, parts: list[tuple[np.ndarray, np.ndarray]]) -> pa.StringArray:
    """Assemble rows from (row indices, (m, w) ASCII matrix) groups of different widths."""
    lengths = np.zeros(n, dtype=np.int32)
    for rows, chars in parts:
        lengths[rows] = chars.shape[1]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    for rows, chars in parts:
        idx = offsets[rows][:, None] + np.arange(chars.shape[1], dtype=np.int32)
        data[idx] = chars
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _pick(rng: np.random.Generator, pool: pa.Array, n: int) -> pa.Array:
    return pool.take(pa.array(rng.integers(0, len(pool), n)))


def _int_str(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _digits_of(values: np.ndarray, width: int) -> np.ndarray:
    """(n,) non-negative ints -> (n, width) digit values, zero-padded."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // powers) % 10).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# Column builders (each returns an Arrow array; *_digits helpers return digit-value matrices)
# --------------------------------------------------------------------------------------------

_AREA_DIGITS = np.array([[int(c) for c in a[0]] for a in AREAS], dtype=np.uint8)
_AREA_MIN_DAY = np.array(
    [(np.datetime64(f"{a[2]}-01-01") - np.datetime64("1970-01-01")).astype(int) for a in AREAS]
)
_LAST_BIRTH_DAY = int((np.datetime64("2008-12-31") - np.datetime64("1970-01-01")).astype(int))


def resident_id_chars(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Valid IDs as an (n, 18) ASCII matrix, plus the (n,) check values (10 = X)."""
    area = rng.integers(0, len(AREAS), n)
    lo = _AREA_MIN_DAY[area]
    days = lo + (rng.random(n) * (_LAST_BIRTH_DAY - lo + 1)).astype(np.int64)
    d = days.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]")).astype(np.int64) + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    body = np.empty((n, 17), dtype=np.uint8)
    body[:, :6] = _AREA_DIGITS[area]
    body[:, 6:14] = _digits_of(year * 10000 + month * 100 + day, 8)
    body[:, 14:] = rng.integers(0, 10, (n, 3), dtype=np.uint8)
    check = mod11_2_check(body)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = body + _ASCII0
    chars[:, 17] = np.where(check == 10, _ASCII_X, check + _ASCII0)
    return chars, check


def mobile_chars(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 11) ASCII mobile numbers from assigned 3-digit prefixes."""
    prefixes = np.array([[ord(c) for c in p] for p in MOBILE_PREFIXES], dtype=np.uint8)
    chars = np.empty((n, 11), dtype=np.uint8)
    chars[:, :3] = prefixes[rng.integers(0, len(prefixes), n)]
    chars[:, 3:] = rng.integers(0, 10, (n, 8), dtype=np.uint8) + _ASCII0
    return chars


def _card_group(rng: np.random.Generator, m: int, length: int, unionpay: bool) -> np.ndarray:
    payload = rng.integers(0, 10, (m, length - 1), dtype=np.uint8)
    if unionpay:
        payload[:, 0], payload[:, 1] = 6, 2
    else:
        payload[:, 0] = rng.integers(4, 6, m)  # Visa 4… / Mastercard 5…
        mc = payload[:, 0] == 5
        payload[mc, 1] = rng.integers(1, 6, int(mc.sum()))  # 51-55
    out = np.empty((m, length), dtype=np.uint8)
    out[:, :-1] = payload
    out[:, -1] = luhn_check(payload)
    return out + _ASCII0


def bank_cards(rng: np.random.Generator, n: int) -> pa.StringArray:
    """25% UnionPay 16, 25% UnionPay 19, 50% Visa/Mastercard 16; all Luhn-valid."""
    kind = rng.choice(3, n, p=[0.25, 0.25, 0.5])
    parts = []
    for k, (length, up) in enumerate([(16, True), (19, True), (16, False)]):
        rows = np.flatnonzero(kind == k)
        parts.append((rows, _card_group(rng, len(rows), length, up)))
    return _ragged(n, parts)


def order_id_chars(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 18) ASCII digits that never pass MOD 11-2: half corrupted IDs, half random."""
    half = n // 2
    ids, check = resident_id_chars(rng, half)
    w = rng.integers(0, 9, half)
    wrong = np.where(check == 10, rng.integers(0, 10, half), w + (w >= check))
    ids[:, 17] = wrong + _ASCII0
    rand = rng.integers(0, 10, (n - half, 18), dtype=np.uint8)
    rand[:, 0] = rng.integers(1, 10, n - half)
    c = mod11_2_check(rand[:, :17])
    clash = rand[:, 17] == c
    rand[clash, 17] = (rand[clash, 17] + 1) % 10
    out = np.concatenate([ids, rand + _ASCII0])
    return out[rng.permutation(n)]


def timestamps_ms(rng: np.random.Generator, n: int) -> pa.Array:
    """13-digit millisecond timestamps between 2020-09 and 2027-01 (16… / 17…)."""
    return _int_str(rng.integers(1_600_000_000_000, 1_800_000_000_000, n))


_SUR_HZ, _SUR_PY = pa.array(SURNAME_HZ), pa.array(SURNAME_PY)
_GIV_HZ, _GIV_PY = pa.array([*GIVEN_HZ, ""]), pa.array([*GIVEN_PY, ""])


def names_and_emails(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """Chinese names and matching pinyin e-mail addresses."""
    s = pa.array(rng.integers(0, len(SURNAME_HZ), n))
    g1 = pa.array(rng.integers(0, len(GIVEN_HZ), n))
    two = rng.random(n) < 0.7
    g2 = pa.array(np.where(two, rng.integers(0, len(GIVEN_HZ), n), len(GIVEN_HZ)))
    names = _join(_SUR_HZ.take(s), _GIV_HZ.take(g1), _GIV_HZ.take(g2))
    sep = _pick(rng, pa.array(["", "", ".", "_"]), n)
    num = _int_str(rng.integers(1, 2010, n))
    num = pc.if_else(pa.array(rng.random(n) < 0.5), num, "")
    domain = _pick(rng, pa.array(EMAIL_DOMAINS), n)
    emails = _join(_SUR_PY.take(s), sep, _GIV_PY.take(g1), _GIV_PY.take(g2), num, "@", domain)
    return names, emails


def emails_only(rng: np.random.Generator, n: int) -> pa.Array:
    return names_and_emails(rng, n)[1]


def addresses(rng: np.random.Generator, n: int) -> pa.Array:
    """District-level address; 30% also carry estate, building and room."""
    detail = _join(
        _pick(rng, pa.array(ESTATES), n),
        _int_str(rng.integers(1, 31, n)),
        "栋",
        _int_str(rng.integers(1, 34, n) * 100 + rng.integers(1, 5, n)),
        "室",
    )
    detail = pc.if_else(pa.array(rng.random(n) < 0.3), detail, "")
    return _join(
        _pick(rng, pa.array([a[1] for a in AREAS]), n),
        _pick(rng, pa.array(ROADS), n),
        _int_str(rng.integers(1, 1000, n)),
        "号",
        detail,
    )


def remarks(rng: np.random.Generator, n: int) -> tuple[pa.Array, dict[str, int]]:
    """Chinese sentences with at most one glued insert per row; returns planted counts."""
    pool = pa.array([*SENTENCES, ""])
    k = rng.choice([1, 2, 3], n, p=[0.2, 0.45, 0.35])
    s1 = pool.take(pa.array(rng.integers(0, len(SENTENCES), n)))
    s2 = pool.take(pa.array(np.where(k >= 2, rng.integers(0, len(SENTENCES), n), len(SENTENCES))))
    s3 = pool.take(pa.array(np.where(k >= 3, rng.integers(0, len(SENTENCES), n), len(SENTENCES))))

    cum = np.cumsum([p for _, p in INSERT_KINDS])
    kind = np.searchsorted(cum, rng.random(n), side="right")  # len(INSERT_KINDS) = no insert
    pieces: list[pa.Array] = [pa.array([""])]
    index = np.zeros(n, dtype=np.int64)
    base = 1
    planted: dict[str, int] = {}
    for k_id, (name, _) in enumerate(INSERT_KINDS):
        rows = np.flatnonzero(kind == k_id)
        m = len(rows)
        if name == "phone":
            values = _fixed(mobile_chars(rng, m))
        elif name == "plus86":
            values = _join("+86 ", _fixed(mobile_chars(rng, m)))
        elif name == "id":
            values = _fixed(resident_id_chars(rng, m)[0])
        elif name == "email":
            values = emails_only(rng, m)
        elif name == "card":
            values = bank_cards(rng, m)
        elif name == "order":
            chars = order_id_chars(rng, m)
            values = _fixed(chars)
            planted["order_luhn_valid"] = int(luhn_valid(chars - _ASCII0).sum())
        else:
            values = timestamps_ms(rng, m)
        pieces.append(_join(_pick(rng, pa.array(LEADS[name]), m), values))
        index[rows] = base + np.arange(m)
        base += m
        planted[name] = m
    inserts = pa.concat_arrays(pieces).take(pa.array(index))
    return _join(s1, inserts, s2, s3), planted


def _block(rng: np.random.Generator, n: int) -> tuple[pa.Table, dict[str, int]]:
    names, emails = names_and_emails(rng, n)
    remark_col, planted = remarks(rng, n)
    order_chars = order_id_chars(rng, n)
    planted["order_id_luhn_valid"] = int(luhn_valid(order_chars - _ASCII0).sum())
    rid_chars, rid_check = resident_id_chars(rng, n)
    planted["resident_id_x"] = int((rid_check == 10).sum())
    cols = {
        "name": names,
        "resident_id": _fixed(rid_chars),
        "phone": _fixed(mobile_chars(rng, n)),
        "email": emails,
        "address": addresses(rng, n),
        "bank_card": bank_cards(rng, n),
        "remarks": remark_col,
        "order_id": _fixed(order_chars),
        "ts_ms": timestamps_ms(rng, n),
    }
    return pa.table({c: cols[c] for c in COLUMNS}), planted


def make_table(n_rows: int = 1_000_000, seed: int = 0) -> pa.Table:
    """Build the mixed table of ``n_rows`` rows. Deterministic for (n_rows, seed).

    Blocks of 1M rows are seeded independently (``SeedSequence(seed).spawn``), so a table of
    k million rows is a prefix of any longer table with the same seed.
    """
    children = np.random.SeedSequence(seed).spawn(max(1, -(-n_rows // BLOCK_ROWS)))
    tables, totals = [], {}
    for i, child in enumerate(children):
        n = min(BLOCK_ROWS, n_rows - i * BLOCK_ROWS)
        table, planted = _block(np.random.default_rng(child), n)
        tables.append(table)
        for key, value in planted.items():
            totals[key] = totals.get(key, 0) + value
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    meta = {"version": DATAGEN_VERSION, "rows": n_rows, "seed": seed, "planted": totals}
    return table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})


def table_info(table: pa.Table) -> dict:
    """The generator metadata stored in ``table``'s schema (empty dict if absent)."""
    raw = (table.schema.metadata or {}).get(META_KEY)
    return json.loads(raw) if raw else {}


def string_bytes(arr: pa.Array | pa.ChunkedArray) -> int:
    """UTF-8 bytes of string data (value bytes only, no offsets or validity)."""
    total = pc.sum(pc.binary_length(arr)).as_py()
    return int(total or 0)


def expected_counts(table: pa.Table) -> dict[str, dict[str, int]]:
    """Exact counts per column under the detection rule in perf-measurements.md
    (RESIDENT_ID, MOBILE, BANK_CARD = Luhn 16-19 not already an ID, EMAIL)."""
    info = table_info(table)
    p, n = info["planted"], info["rows"]
    return {
        "resident_id": {"RESIDENT_ID": n},
        "phone": {"MOBILE": n},
        "email": {"EMAIL": n},
        "bank_card": {"BANK_CARD": n},
        "remarks": {
            "RESIDENT_ID": p["id"],
            "MOBILE": p["phone"] + p["plus86"],
            "BANK_CARD": p["card"] + p["order_luhn_valid"],
            "EMAIL": p["email"],
        },
        "order_id": {"BANK_CARD": p["order_id_luhn_valid"]},
        "name": {},
        "address": {},
        "ts_ms": {},
    }


# --------------------------------------------------------------------------------------------
# Independent check with python-stdnum (and phonenumbers if installed)
# --------------------------------------------------------------------------------------------

_RUN = re.compile(r"(?<![0-9])[0-9]+[Xx]?(?![0-9])")


def check_table(table: pa.Table, sample: int = 1000, seed: int = 0) -> dict[str, dict]:
    """Validate ``sample`` random rows per column with independent oracles.

    Returns ``{column: {"oracle": str, "checked": int, "passed": int}}``; ``passed == checked``
    means the column is as specified. Columns that must *fail* a checksum (``order_id``) count a
    row as passed when it fails. Returns ``{"skipped": {...}}`` if python-stdnum is missing.
    """
    try:
        from stdnum import luhn
        from stdnum.cn import ric
        from stdnum.iso7064 import mod_11_2
    except ImportError as exc:
        return {"skipped": {"oracle": f"python-stdnum not installed ({exc})"}}
    try:
        import phonenumbers
    except ImportError:
        phonenumbers = None

    rows = sorted(random.Random(seed).sample(range(table.num_rows), min(sample, table.num_rows)))
    sub = table.take(pa.array(rows)).to_pydict()
    out: dict[str, dict] = {}

    def record(col: str, oracle: str, oks: list[bool], **extra: object) -> None:
        out[col] = {"oracle": oracle, "checked": len(oks), "passed": sum(oks), **extra}

    rid = sub["resident_id"]
    record(
        "resident_id",
        "stdnum.iso7064.mod_11_2 + stdnum.cn.ric",
        [mod_11_2.is_valid(v) and ric.is_valid(v) for v in rid],
        x_check=sum(v.endswith("X") for v in rid),
    )
    if phonenumbers is not None:

        def mobile(v: str) -> bool:
            num = phonenumbers.parse(v, "CN")
            return phonenumbers.number_type(num) == phonenumbers.PhoneNumberType.MOBILE

        record("phone", "phonenumbers (MOBILE)", [mobile(v) for v in sub["phone"]])
    else:
        record(
            "phone",
            "regex 1[3-9]\\d{9}",
            [bool(re.fullmatch(r"1[3-9]\d{9}", v)) for v in sub["phone"]],
        )
    cards = sub["bank_card"]
    record(
        "bank_card",
        "stdnum.luhn",
        [luhn.is_valid(v) and 16 <= len(v) <= 19 for v in cards],
        unionpay_62=sum(v.startswith("62") for v in cards),
    )
    orders = sub["order_id"]
    record(
        "order_id",
        "stdnum.iso7064.mod_11_2 must FAIL",
        [len(v) == 18 and not mod_11_2.is_valid(v) for v in orders],
        luhn_valid=sum(luhn.is_valid(v) for v in orders),
    )
    record("ts_ms", "13 digits", [len(v) == 13 and v.isdigit() for v in sub["ts_ms"]])
    email_re = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
    record("email", "regex", [bool(email_re.fullmatch(v)) for v in sub["email"]])
    # remarks: every digit run must be one of the planted kinds and carry its checksum
    oks, kinds = [], {"id": 0, "order": 0, "mobile": 0, "card": 0, "ts": 0, "short": 0}
    for text in sub["remarks"]:
        for tok in _RUN.findall(text):
            if len(tok) == 18:
                valid = mod_11_2.is_valid(tok.upper())
                kinds["id" if valid else "order"] += 1
                oks.append(True if not valid else ric.is_valid(tok))
            elif len(tok) == 11:
                kinds["mobile"] += 1
                oks.append(bool(re.fullmatch(r"1[3-9]\d{9}", tok)))
            elif len(tok) in (16, 19):
                kinds["card"] += 1
                oks.append(luhn.is_valid(tok))
            elif len(tok) == 13:
                kinds["ts"] += 1
                oks.append(tok[:2] in ("16", "17"))
            else:
                kinds["short"] += 1
                oks.append(len(tok) <= 4)  # "86" of "+86 ", e-mail digits
    record("remarks", "mod_11_2 / luhn per digit run", oks, runs=kinds)
    return out


def format_check(result: dict[str, dict]) -> str:
    """Human-readable one-line-per-column rendering of :func:`check_table`."""
    lines = []
    for col, r in result.items():
        if "checked" not in r:
            lines.append(f"  {col:12s} {r['oracle']}")
            continue
        status = "ok " if r["passed"] == r["checked"] else "FAIL"
        extra = {k: v for k, v in r.items() if k not in ("oracle", "checked", "passed")}
        tail = f"  {extra}" if extra else ""
        lines.append(f"  {status} {col:12s} {r['passed']}/{r['checked']}  [{r['oracle']}]{tail}")
    return "\n".join(lines)


def check_ok(result: dict[str, dict]) -> bool:
    return all(r.get("passed") == r.get("checked") for r in result.values() if "checked" in r)


# --------------------------------------------------------------------------------------------
# Planted truth per cell (for scoring methods against what was planted)
# --------------------------------------------------------------------------------------------

# Columns whose every cell is one planted item, and its entity (the catalog's names).
WHOLE_CELL_TRUTH = {
    "name": "PERSON",
    "resident_id": "CN_RESIDENT_ID",
    "phone": "CN_MOBILE_PHONE",
    "email": "EMAIL_ADDRESS",
    "address": "CN_ADDRESS",
    "bank_card": "BANK_CARD",
}
HARD_NEGATIVE_COLUMNS = ("order_id", "ts_ms")
_INSERT_ENTITY = {
    "phone": "CN_MOBILE_PHONE",
    "plus86": "CN_MOBILE_PHONE",
    "id": "CN_RESIDENT_ID",
    "email": "EMAIL_ADDRESS",
    "card": "BANK_CARD",
}
_ALL_LEADS = sorted({w for words in LEADS.values() for w in words}, key=len, reverse=True)
_INSERT_RE = re.compile("^[^。]*。(?:" + "|".join(map(re.escape, _ALL_LEADS)) + ")([ -~]+)")


def _insert_kind(value: str) -> str:
    if "@" in value:
        return "email"
    if value.startswith("+86 "):
        return "plus86"
    if len(value) == 11:
        return "phone"
    if len(value) == 13:
        return "ts"
    if len(value) == 18:
        digits = np.array([[10 if c in "Xx" else int(c) for c in value]])
        check = int(mod11_2_check(digits[:, :17])[0])
        return "id" if check == digits[0, 17] else "order"
    return "card"


def planted_spans(table: pa.Table) -> list[tuple[int, str, str, int, int, bool]]:
    """What was planted in ``table`` (any slice of a generated table), cell by cell.

    Returns ``(row, column, entity, start, end, positive)`` in code points. ``positive`` is
    False for hard negatives: every ``order_id`` and ``ts_ms`` cell and the order numbers and
    timestamps inserted in ``remarks`` (entity ``""``). A ``remarks`` insert is recovered from
    the text: the first sentence ends with ``。``, then comes a lead word and the ASCII value
    (sentences hold no ASCII). Python per cell: meant for subsamples, not for 1M rows.
    """
    out: list[tuple[int, str, str, int, int, bool]] = []
    for col in table.column_names:
        cells = table[col].to_pylist()
        if col in WHOLE_CELL_TRUTH:
            ent = WHOLE_CELL_TRUTH[col]
            out += [(i, col, ent, 0, len(v), True) for i, v in enumerate(cells) if v]
        elif col in HARD_NEGATIVE_COLUMNS:
            out += [(i, col, "", 0, len(v), False) for i, v in enumerate(cells) if v]
        elif col == "remarks":
            for i, v in enumerate(cells):
                m = _INSERT_RE.match(v or "")
                if not m:
                    continue
                kind = _insert_kind(m.group(1))
                ent = _INSERT_ENTITY.get(kind, "")
                out.append((i, col, ent, m.start(1), m.end(1), bool(ent)))
    return out


# --------------------------------------------------------------------------------------------
# Caching and CLI
# --------------------------------------------------------------------------------------------


def data_path(n_rows: int, seed: int, fmt: str = "parquet", data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"mixed_v{DATAGEN_VERSION}_{n_rows}_s{seed}.{fmt}"


def write_table(table: pa.Table, path: Path) -> None:
    """Write Parquet (100k-row row groups, as in perf-measurements.md) or CSV by suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path, row_group_size=100_000)


def load_or_make(
    n_rows: int, seed: int = 0, data_dir: Path = DATA_DIR, regenerate: bool = False
) -> tuple[pa.Table, dict]:
    """Load the cached Parquet file for (n_rows, seed) or generate and cache it.

    Returns the table and ``{"source": "cache"|"generated", "seconds": float, "path": str}``.
    """
    path = data_path(n_rows, seed, "parquet", data_dir)
    t0 = time.perf_counter()
    if path.exists() and not regenerate:
        table = pq.read_table(path)
        info = table_info(table)
        if info.get("rows") == n_rows and info.get("seed") == seed:
            return table, {
                "source": "cache",
                "seconds": time.perf_counter() - t0,
                "path": str(path),
            }
    table = make_table(n_rows, seed)
    gen_s = time.perf_counter() - t0
    write_table(table, path)
    return table, {"source": "generated", "seconds": gen_s, "path": str(path)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the mixed benchmark table.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=["parquet", "csv", "both"], default="parquet")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--no-check", action="store_true", help="skip the stdnum self-check")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    table = make_table(args.rows, args.seed)
    gen_s = time.perf_counter() - t0
    sizes = {c: string_bytes(table[c]) for c in COLUMNS}
    total = sum(sizes.values())
    print(f"generated {args.rows:,} rows in {gen_s:.2f} s ({args.rows / gen_s:,.0f} rows/s)")
    print(f"string data: {total:,} bytes ({total / args.rows:.1f} B/row)")
    print("  " + " · ".join(f"{c} {b / 1e6:.1f} M" for c, b in sizes.items()))
    print(f"planted: {json.dumps(table_info(table)['planted'])}")
    formats = ["parquet", "csv"] if args.format == "both" else [args.format]
    for fmt in formats:
        path = data_path(args.rows, args.seed, fmt, args.out)
        t1 = time.perf_counter()
        write_table(table, path)
        size = path.stat().st_size
        print(f"wrote {path} ({size / 1e6:.1f} MB) in {time.perf_counter() - t1:.2f} s")
    if not args.no_check:
        result = check_table(table)
        print("self-check (1,000-row sample per column):")
        print(format_check(result))
        if not check_ok(result):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
