"""A labelled development corpus of Chinese prose and tables, generated (never real people).

Values come from Faker (``zh_CN``, ``en_US``; seeded) and from small pools written here;
sentences and tables come from templates. Each prose document carries its gold spans
(code points, end exclusive) and each table its gold column entities, so that
``benchmarks/evaluate.py`` can score the catalog.

Honest limits: the templates are ours, written with the recognizers in mind, so the figures
are an optimistic development measure, not a benchmark of real data. To keep recall honest,
some pools hold values the catalog does not know: diseases outside ``models/health_terms.txt``,
Faker's invented city names, names without a cue. Hard negatives (清真 food, region names,
surname-initial common words, 王先生, disease mentions in general text) are mixed in.

Usage::

    python benchmarks/corpus.py --out benchmarks/data/corpus.json    # write it
    from corpus import build; docs, tables = build(seed=0)            # or build in memory
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

CHECKSUM_ENTITIES = ("CN_RESIDENT_ID", "BANK_CARD", "CN_MOBILE_PHONE", "EMAIL_ADDRESS")
UNASSIGNED = {"140", "141", "142", "143", "144", "146", "148", "149", "154", "194"}

# -- pools (our own) ----------------------------------------------------------------------
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方", "慕容", "令狐", "皇甫", "尉迟", "长孙"]
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国文辉婷宇浩鑫欣佳怡子涵梓轩睿晨"
)
AREAS = [
    ("北京市", "", ["朝阳区", "海淀区", "丰台区", "西城区"]),
    ("上海市", "", ["浦东新区", "徐汇区", "静安区", "闵行区"]),
    ("广东省", "广州市", ["天河区", "越秀区", "番禺区"]),
    ("广东省", "深圳市", ["南山区", "福田区", "宝安区"]),
    ("浙江省", "杭州市", ["西湖区", "滨江区", "余杭区"]),
    ("江苏省", "南京市", ["玄武区", "鼓楼区", "江宁区"]),
    ("四川省", "成都市", ["武侯区", "锦江区", "青羊区"]),
    ("湖北省", "武汉市", ["武昌区", "洪山区", "江汉区"]),
    ("河南省", "郑州市", ["金水区", "中原区", "二七区"]),
    ("山东省", "青岛市", ["市南区", "崂山区", "黄岛区"]),
    ("陕西省", "西安市", ["雁塔区", "碑林区", "未央区"]),
    ("湖南省", "长沙市", ["岳麓区", "芙蓉区", "开福区"]),
    ("河北省", "保定市", ["竞秀区", "莲池区", "满城区"]),
    ("安徽省", "合肥市", ["蜀山区", "包河区", "庐阳区"]),
    ("云南省", "大理白族自治州", ["大理市", "祥云县", "宾川县"]),
]
ROADS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "文化路",
    "青年路",
    "胜利路",
    "学院路",
    "科技路",
    "滨江路",
    "东风路",
    "复兴路",
    "花园路",
    "工业路",
    "迎宾路",
    "振兴路",
    "体育路",
    "红旗路",
    "公园路",
    "大学路",
    "府前街",
    "健康路",
    "站前路",
    "友谊路",
    "沿江大道",
    "环城东路",
    "金融街",
]
ESTATES = [
    "阳光花园",
    "翠苑小区",
    "金色家园",
    "锦绣华庭",
    "海景湾",
    "书香苑",
    "万科城",
    "碧桂园",
    "紫金苑",
    "春晓花园",
    "世纪新城",
    "和谐家园",
    "御景湾",
    "枫林苑",
    "丽水湾",
    "名都花园",
]
TOWNS = ["城关镇", "李楼乡", "新华街道", "花园镇", "东风乡"]
VILLAGES = ["王庄村", "李家村", "张湾村", "新河村", "石桥村"]
# Diseases etc.: most in models/health_terms.txt, some deliberately not (marked #oov).
DISEASES = [
    "高血压",
    "2型糖尿病",
    "冠心病",
    "脑梗死",
    "肺癌",
    "乳腺癌",
    "慢性胃炎",
    "乙型肝炎",
    "抑郁症",
    "哮喘",
    "类风湿关节炎",
    "肺结核",
    "甲状腺结节",
    "腰椎间盘突出",
    "白血病",
    "带状疱疹",
    "痔疮",
    "肩周炎",
    "胆囊炎",
    "心肌炎",  # oov
]
SYMPTOMS = ["胸闷", "头晕", "咳嗽", "发热", "腹痛", "乏力", "失眠", "心悸", "关节肿痛"]  # last oov
DRUGS = [
    "二甲双胍",
    "阿司匹林",
    "氨氯地平",
    "胰岛素",
    "阿莫西林",
    "布洛芬",
    "奥美拉唑",
    "舍曲林",
    "连花清瘟胶囊",
]  # last oov
ALLERGIES = ["青霉素过敏", "头孢过敏", "海鲜过敏", "花粉过敏"]
TESTS = ["HBsAg阳性", "HIV抗体阳性", "核酸检测阳性", "尿蛋白阳性"]
RELIGION_PHRASES = [
    "信仰佛教",
    "信仰伊斯兰教",
    "基督徒",
    "信奉天主教",
    "佛教徒",
    "穆斯林",
    "受洗",
    "做礼拜",
]
ORIENTATIONS = ["同性恋", "双性恋", "跨性别"]
CRIMES = ["盗窃罪", "诈骗罪", "故意伤害罪", "危险驾驶罪", "寻衅滋事罪"]
PENALTIES = ["有期徒刑", "拘役", "缓刑", "行政拘留"]
ETHNIC = ["汉族", "回族", "满族", "壮族", "维吾尔族", "土家族", "苗族", "蒙古族"]
PERSON_CUES = [
    "联系人",
    "收货人",
    "患者",
    "户名",
    "持卡人",
    "经办人",
    "申请人",
    "监护人",
    "被保险人",
]
TITLES = ["先生", "女士", "老师", "医生"]
FREE_VERBS = [
    "于{year}年入职本公司",
    "来电反映快递延误",
    "在医院复查",
    "表示对处理结果满意",
    "因工作调动申请转岗",
]
FILLERS = [
    "客户对服务满意。",
    "请尽快处理。",
    "已电话回访。",
    "资料已归档。",
    "如有疑问请联系客服。",
    "本周五前完成审核。",
    "系统自动生成，请勿回复。",
    "相关材料已补齐。",
]
# Hard negatives: nothing here may be reported.
NEGATIVES = [
    "楼下新开了一家清真牛肉面馆，味道不错。",
    "超市清真食品专柜在二楼。",
    "伊斯兰风格的建筑很有特色。",
    "本周举办糖尿病的预防知识讲座，欢迎参加。",
    "周末在家休息，不外出。",
    "高中在哪里读的？",
    "王先生来电咨询会员等级规则。",
    "请联系李女士确认发票抬头。",
    "北京市朝阳区今天有小雨。",
    "常常在这里散步的人很多。",
    "明天在公司开会讨论预算。",
    "张同志今天值班。",
    "中华民族伟大复兴。",
    "性别平等是社会进步的标志。",
    "预防犯罪宣传周活动圆满结束。",
    "黄山市旅游发展大会召开。",
    "订单号110105199003071230已发货。",
    "版本号12.3456,7.8910已发布。",
    "佛教文化旅游节下月开幕。",
    "王府井步行街人流量大。",
    "金融街论坛将于下周举行。",
    "人民路与解放路交叉口施工。",
]


@dataclass
class Doc:
    text: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, piece: str, entity: str | None = None) -> None:
        if entity:
            self.spans.append((len(self.text), len(self.text) + len(piece), entity))
        self.text += piece


class Pools:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.zh = Faker("zh_CN")
        self.zh.seed_instance(seed)
        self.en = Faker("en_US")
        self.en.seed_instance(seed + 1)

    def pick(self, seq):
        return self.rng.choice(seq)

    def name(self) -> str:
        r = self.rng.random()
        if r < 0.08:
            return self.pick(COMPOUND) + "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))
        return self.zh.name()

    def latin_name(self) -> str:
        return f"{self.en.first_name()} {self.en.last_name()}"

    def address(self) -> str:
        r = self.rng.random()
        if r < 0.2:  # Faker's invented cities and streets; the postcode is not part of it
            return self.zh.address().split(" ")[0]
        prov, city, districts = self.pick(AREAS)
        head = prov + city + self.pick(districts)
        if r < 0.3:
            return (
                head
                + self.pick(TOWNS)
                + self.pick(VILLAGES)
                + f"{self.rng.randint(1, 9)}组{self.rng.randint(1, 99)}号"
            )
        addr = head + self.pick(ROADS) + f"{self.rng.randint(1, 999)}号"
        if self.rng.random() < 0.5:
            addr += (
                self.pick(ESTATES)
                + f"{self.rng.randint(1, 30)}栋{self.rng.randint(1, 6)}单元"
                + f"{self.rng.randint(1, 33)}0{self.rng.randint(1, 4)}室"
            )
        return addr

    def street(self) -> str:
        return self.pick(ROADS) + f"{self.rng.randint(1, 999)}号"

    def wechat(self) -> str:
        # A WeChat ID: a letter, then 5-19 letters, digits, _ or -.
        return (self.zh.user_name() + "_" + str(self.rng.randint(1, 9999)))[:20]

    def resident_id(self, minor: bool = False) -> str:
        if minor:
            return self.zh.ssn(min_age=3, max_age=12)
        return self.zh.ssn(min_age=18, max_age=80)

    def mobile(self) -> str:
        # Faker also makes numbers in unassigned ranges (140-144, 146, 148, 149, 154, 194...):
        # keep to assigned prefixes (../shared/reference §2.12).
        while True:
            number = self.zh.phone_number()
            if number[:3] not in UNASSIGNED and not (number[:3] == "174" and number[3:5] != "00"):
                return number

    def card(self) -> str:
        return self.en.credit_card_number(card_type=self.pick(["visa16", "mastercard"]))

    def email(self) -> str:
        return self.zh.email()

    def birth(self, minor: bool = False) -> str:
        d = self.zh.date_of_birth(minimum_age=3 if minor else 18, maximum_age=12 if minor else 80)
        fmt = self.rng.choice(["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y%m%d"])
        out = d.strftime(fmt)
        if fmt == "%Y年%m月%d日":
            out = f"{d.year}年{d.month}月{d.day}日"
        return out


# -- prose -------------------------------------------------------------------------------
def _person_doc(p: Pools) -> Doc:
    d = Doc()
    kind = p.rng.random()
    if kind < 0.45:
        d.add(p.pick(PERSON_CUES) + p.pick(["：", "", " "]))
        d.add(p.name(), "PERSON")
        d.add(p.pick(["，电话", "，手机号"]))
        d.add(p.mobile(), "CN_MOBILE_PHONE")
        d.add("，" + p.pick(FILLERS))
    elif kind < 0.65:
        d.add(p.pick(["请转告", "已通知", "感谢"]))
        d.add(p.name(), "PERSON")
        d.add(p.pick(TITLES) + "，" + p.pick(FILLERS))
    elif kind < 0.9:
        d.add(p.pick(["", "据悉，", "昨天，"]))
        d.add(p.name(), "PERSON")
        d.add(p.pick(FREE_VERBS).format(year=p.rng.randint(2010, 2024)) + "。" + p.pick(FILLERS))
    else:
        d.add(p.pick(["收货人 ", "联系人：", "持卡人 "]))
        d.add(p.latin_name(), "PERSON")
        d.add("，邮箱")
        d.add(p.email(), "EMAIL_ADDRESS")
        d.add("。")
    return d


def _address_doc(p: Pools) -> Doc:
    d = Doc()
    r = p.rng.random()
    if r < 0.8:
        d.add(p.pick(["收货地址：", "家住", "现居住于", "请寄到", "户籍地址："]))
        d.add(p.address(), "CN_ADDRESS")
        d.add(p.pick(["，", "。"]) + p.pick(FILLERS))
    else:
        d.add(p.pick(["家住", "收货地址："]))
        d.add(p.street(), "CN_ADDRESS")
        d.add("，" + p.pick(FILLERS))
    return d


def _health_doc(p: Pools) -> Doc:
    d = Doc()
    r = p.rng.random()
    if r < 0.4:
        d.add("患者")
        d.add(p.name(), "PERSON")
        sex, age = p.pick(["男", "女"]), p.rng.randint(20, 85)
        d.add(f"，{sex}，")
        d.add(f"{age}岁", "AGE")
        d.add("，因")
        d.add(p.pick(SYMPTOMS), "HEALTH")
        d.add("就诊，诊断为")
        d.add(p.pick(DISEASES), "HEALTH")
        d.add("，予")
        d.add(p.pick(DRUGS), "HEALTH")
        d.add("治疗。")
    elif r < 0.7:
        d.add("既往史：")
        d.add(p.pick(DISEASES), "HEALTH")
        d.add("；过敏史：")
        d.add(p.pick(ALLERGIES), "HEALTH")
        d.add("。")
    else:
        d.add("体检报告显示")
        d.add(p.pick(TESTS), "HEALTH")
        d.add("，建议复查。")
    return d


def _sensitive_doc(p: Pools) -> Doc:
    d = Doc()
    r = p.rng.random()
    if r < 0.35:
        d.add(p.pick(["该用户自述", "本人"]) + p.pick(["", "是"]))
        d.add(p.pick(RELIGION_PHRASES), "RELIGION")
        d.add("，" + p.pick(FILLERS))
    elif r < 0.55:
        d.add(p.pick(["用户自述为", "他承认自己是"]))
        d.add(p.pick(ORIENTATIONS), "SEXUAL_ORIENTATION")
        d.add("。")
    else:
        year = p.rng.randint(2005, 2020)
        d.add(f"该员{year}年")
        d.add("因" + p.pick(CRIMES), "CRIMINAL_RECORD")
        d.add("被判处", "CRIMINAL_RECORD")
        d.add(p.pick(PENALTIES), "CRIMINAL_RECORD")
        d.add(f"{p.rng.randint(1, 5)}年。")
    return d


def _form_doc(p: Pools) -> Doc:
    """An ID-card-like form line: name, gender, ethnicity, birth date, ID, contacts."""
    d = Doc()
    minor = p.rng.random() < 0.2
    d.add("姓名：")
    d.add(p.name(), "PERSON")
    d.add(" 性别：")
    d.add(p.pick(["男", "女"]), "GENDER")
    d.add(" 民族：")
    d.add(p.pick(ETHNIC), "ETHNICITY")
    d.add(" 出生日期：")
    d.add(p.birth(minor), "DATE_OF_BIRTH")
    d.add(" 身份证号：")
    d.add(p.resident_id(minor), "CN_RESIDENT_ID")
    r = p.rng.random()
    if r < 0.3:
        d.add(" QQ：")
        d.add(str(p.rng.randint(10_000, 3_999_999_999)), "QQ_ID")
    elif r < 0.6:
        d.add(" 微信号：")
        d.add(p.wechat(), "WECHAT_ID")
    else:
        d.add(" 银行卡号：")
        d.add(p.card(), "BANK_CARD")
    d.add("。")
    return d


def _geo_doc(p: Pools) -> Doc:
    d = Doc()
    lat, lng = p.rng.uniform(18.2, 53.5), p.rng.uniform(73.6, 134.9)
    d.add(p.pick(["定位：", "当前坐标", "GPS "]))
    d.add(f"{lat:.6f},{lng:.6f}", "GEO_COORDINATE")
    d.add("，" + p.pick(FILLERS))
    return d


def _negative_doc(p: Pools) -> Doc:
    d = Doc()
    if p.rng.random() < 0.6:
        d.add(p.pick(NEGATIVES))
    else:
        d.add(p.zh.sentence(nb_words=12))
    return d


MAKERS = [
    (_person_doc, 0.22),
    (_address_doc, 0.15),
    (_health_doc, 0.15),
    (_sensitive_doc, 0.12),
    (_form_doc, 0.12),
    (_geo_doc, 0.04),
    (_negative_doc, 0.20),
]


def prose(p: Pools, n: int) -> list[Doc]:
    makers, weights = zip(*MAKERS, strict=True)
    return [p.rng.choices(makers, weights)[0](p) for _ in range(n)]


# -- tables ------------------------------------------------------------------------------
def _col(p: Pools, kind: str, rows: int) -> list[str]:
    r = p.rng
    gen = {
        "name": p.name,
        "latin": p.latin_name,
        "address": p.address,
        "region": lambda: p.pick([a[0] + a[1] for a in AREAS] + [d for a in AREAS for d in a[2]]),
        "id": p.resident_id,
        "id_minor": lambda: p.resident_id(minor=True),
        "mobile": p.mobile,
        "email": p.email,
        "card": p.card,
        "gender": lambda: p.pick(["男", "女"]),
        "gender_code": lambda: p.pick(["1", "2"]),
        "bool": lambda: p.pick(["0", "1"]),
        "ethnic": lambda: p.pick(ETHNIC),
        "birth": p.birth,
        "birth_minor": lambda: p.birth(minor=True),
        "diagnosis": lambda: p.pick(DISEASES),
        "icd": lambda: p.pick(["E11.9", "I10", "J45.9", "C34.9", "K29.5", "F32.9"]),
        "blood": lambda: p.pick(["A型", "B型", "AB型", "O型"]),
        "religion": lambda: p.pick(["佛教", "伊斯兰教", "基督教", "天主教", "道教", "无宗教信仰"]),
        "orientation": lambda: p.pick(["异性恋", "同性恋", "双性恋"]),
        "crime": lambda: p.pick(CRIMES),
        "lat": lambda: f"{r.uniform(18.2, 53.5):.6f}",
        "lng": lambda: f"{r.uniform(73.6, 134.9):.6f}",
        "latlng": lambda: f"{r.uniform(18.2, 53.5):.6f},{r.uniform(73.6, 134.9):.6f}",
        "bcrypt": lambda: (
            "$2b$12$"
            + "".join(
                r.choice("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                for _ in range(53)
            )
        ),
        "md5": lambda: f"{r.getrandbits(128):032x}",
        "password": lambda: p.zh.password(length=r.randint(8, 14)),
        "idfa": lambda: str(p.zh.uuid4()).upper(),
        "qq": lambda: str(r.randint(10_000, 3_999_999_999)),
        "wechat": p.wechat,
        "fmr": lambda: "464D5200203230" + "".join(r.choice("0123456789ABCDEF") for _ in range(60)),
        "vector": lambda: "[" + ", ".join(f"{r.gauss(0, 0.1):.4f}" for _ in range(128)) + "]",
        "dna": lambda: "".join(r.choice("ACGT") for _ in range(r.randint(40, 80))),
        "product": lambda: p.pick(
            [
                "王老吉凉茶",
                "金龙鱼花生油",
                "白加黑感冒片",
                "康师傅方便面",
                "云南白药牙膏",
                "黄山毛峰",
                "iPhone 15",
                "华为Mate 60",
            ]
        ),
        "price": lambda: f"{r.uniform(1, 500):.2f}",
        "rate": lambda: f"{r.uniform(6.5, 7.5):.4f}",
        "status": lambda: p.pick(["正常", "冻结", "注销", "待审核"]),
        "level": lambda: p.pick(["高级", "中级", "初级"]),
        "color": lambda: p.pick(["红色", "白色", "黄色", "蓝色", "黑色", "金色"]),
        "date": lambda: p.zh.date(),
        "amount": lambda: str(r.randint(1, 99999)),
        "remark": lambda: p.pick(FILLERS),
    }[kind]
    return [gen() for _ in range(rows)]


# (table name, [(column name, kind, gold entity)], minors expected)
TABLES = [
    (
        "customers",
        [
            ("姓名", "name", "PERSON"),
            ("手机号", "mobile", "CN_MOBILE_PHONE"),
            ("身份证号", "id", "CN_RESIDENT_ID"),
            ("邮箱", "email", "EMAIL_ADDRESS"),
            ("地址", "address", "CN_ADDRESS"),
            ("性别", "gender", "GENDER"),
            ("备注", "remark", None),
        ],
        False,
    ),
    (
        "customers_values_only",
        [
            ("c1", "name", "PERSON"),
            ("c2", "mobile", "CN_MOBILE_PHONE"),
            ("c3", "id", "CN_RESIDENT_ID"),
            ("c4", "address", "CN_ADDRESS"),
            ("c5", "gender", "GENDER"),
            ("c6", "card", "BANK_CARD"),
            ("c7", "ethnic", "ETHNICITY"),
        ],
        False,
    ),
    (
        "users_en",
        [
            ("name", "name", "PERSON"),
            ("full_name", "latin", "PERSON"),
            ("email", "email", "EMAIL_ADDRESS"),
            ("email_verified", "bool", None),
            ("gender", "gender_code", "GENDER"),
            ("birthday", "birth", "DATE_OF_BIRTH"),
            ("password_hash", "bcrypt", "CREDENTIAL"),
            ("password", "password", "CREDENTIAL"),
        ],
        False,
    ),
    (
        "regions",
        [("name", "region", None), ("code", "amount", None), ("level", "level", None)],
        False,
    ),
    (
        "products",
        [
            ("name", "product", None),
            ("price", "price", None),
            ("color", "color", None),
            ("status", "status", None),
        ],
        False,
    ),
    (
        "patients",
        [
            ("患者姓名", "name", "PERSON"),
            ("诊断", "diagnosis", "HEALTH"),
            ("icd10", "icd", "HEALTH"),
            ("血型", "blood", "HEALTH"),
            ("民族", "ethnic", "ETHNICITY"),
            ("出生日期", "birth", "DATE_OF_BIRTH"),
        ],
        False,
    ),
    (
        "patients_values_only",
        [
            ("f1", "name", "PERSON"),
            ("f2", "diagnosis", "HEALTH"),
            ("f3", "blood", "HEALTH"),
            ("f4", "religion", "RELIGION"),
            ("f5", "dna", "BIOMETRIC"),
        ],
        False,
    ),
    (
        "sensitive",
        [
            ("宗教信仰", "religion", "RELIGION"),
            ("性取向", "orientation", "SEXUAL_ORIENTATION"),
            ("罪名", "crime", "CRIMINAL_RECORD"),
            ("指纹模板", "fmr", "BIOMETRIC"),
            ("face_embedding", "vector", "BIOMETRIC"),
            ("sequence", "dna", "BIOMETRIC"),
        ],
        False,
    ),
    (
        "tracks",
        [
            ("user", "name", "PERSON"),
            ("lat", "lat", "GEO_COORDINATE"),
            ("lng", "lng", "GEO_COORDINATE"),
            ("ts", "date", None),
        ],
        False,
    ),
    (
        "tracks_values_only",
        [("a", "lat", "GEO_COORDINATE"), ("b", "lng", "GEO_COORDINATE"), ("c", "amount", None)],
        False,
    ),
    ("positions", [("坐标", "latlng", "GEO_COORDINATE"), ("记录", "remark", None)], False),
    ("fx", [("pair", "status", None), ("bid", "rate", None), ("volume", "amount", None)], False),
    ("lone_latitude", [("纬度", "lat", None), ("城市", "region", None)], False),
    (
        "devices",
        [
            ("idfa", "idfa", "DEVICE_ID"),
            ("QQ号", "qq", "QQ_ID"),
            ("微信号", "wechat", "WECHAT_ID"),
            ("pwd_md5", "md5", "CREDENTIAL"),
        ],
        False,
    ),
    (
        "students",
        [
            ("学生姓名", "name", "PERSON"),
            ("出生日期", "birth_minor", "DATE_OF_BIRTH"),
            ("性别", "gender", "GENDER"),
            ("班级", "amount", None),
        ],
        True,
    ),
    (
        "children_ids",
        [("姓名", "name", "PERSON"), ("身份证号", "id_minor", "CN_RESIDENT_ID")],
        True,
    ),
]


def tables(p: Pools, rows: int) -> list[dict]:
    out = []
    for name, cols, minors in TABLES:
        out.append(
            {
                "name": name,
                "columns": {c: _col(p, kind, rows) for c, kind, _ in cols},
                "labels": {c: entity for c, _, entity in cols},
                "minors": minors,
            }
        )
    return out


def build(seed: int = 0, docs: int = 1200, rows: int = 200) -> tuple[list[Doc], list[dict]]:
    p = Pools(seed)
    return prose(p, docs), tables(p, rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--docs", type=int, default=1200)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "corpus.json")
    args = ap.parse_args()
    docs, tabs = build(args.seed, args.docs, args.rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "seed": args.seed,
        "prose": [{"text": d.text, "spans": d.spans} for d in docs],
        "tables": tabs,
    }
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(docs)} documents and {len(tabs)} tables to {args.out}")


if __name__ == "__main__":
    main()
