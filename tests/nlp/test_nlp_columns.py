"""Column verdicts for the sensitive and Chinese-text categories: from the header, from the values
alone, and under misleading headers."""

import datetime as dt
import random

import pyarrow as pa
import pytest

from pii_scan.scan import ScanOptions, scan_table

ROWS = 40
RNG = random.Random(7)
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周杰", "欧阳娜娜"]
REGIONS = [
    "北京市",
    "朝阳区",
    "海淀区",
    "黄山市",
    "浦东新区",
    "广东省",
    "深圳市",
    "南山区",
    "武汉市",
]
ADDRESSES = [
    "北京市朝阳区建国路88号",
    "广东省深圳市南山区科技园路18号阳光花园3栋1201室",
    "湖北省武汉市武昌区文化路682号锦绣华庭13栋5单元3303室",
    "上海市浦东新区世纪大道100号",
]


def cycle(values, n=ROWS):
    return [values[i % len(values)] for i in range(n)]


def verdicts(columns: dict, today=None) -> dict:
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    opts = ScanOptions(sample_rows=0, **({"today": today} if today else {}))
    report = scan_table(table, "t", opts)
    return {c["name"]: c for c in report["columns"]} | {"__table__": report}


def entity(columns: dict, name: str):
    return verdicts(columns)[name]["entity"]


def vector(dims=128):
    return "[" + ", ".join(f"{RNG.gauss(0, 0.1):.4f}" for _ in range(dims)) + "]"


# (header, values alone header, values, entity)
CATEGORIES = [
    ("姓名", NAMES, "PERSON"),
    ("地址", ADDRESSES, "CN_ADDRESS"),
    ("诊断", ["高血压", "2型糖尿病", "冠心病", "慢性胃炎", "抑郁症"], "HEALTH"),
    ("血型", ["A型", "B型", "AB型", "O型"], "HEALTH"),
    ("宗教信仰", ["佛教", "伊斯兰教", "基督教", "道教"], "RELIGION"),
    ("婚姻状况", ["已婚", "未婚", "离异", "丧偶"], "MARITAL_STATUS"),
    (
        "SIM卡号",
        ["89862914177763170667", "89869074391500080631", "89866083778353374068"],
        "DEVICE_ID",
    ),
    ("性取向", ["异性恋", "同性恋", "双性恋"], "SEXUAL_ORIENTATION"),
    ("民族", ["汉族", "回族", "维吾尔族", "壮族"], "ETHNICITY"),
    ("性别", ["男", "女"], "GENDER"),
    (
        "指纹模板",
        ["464D5200203230" + f"{RNG.getrandbits(240):060X}" for _ in range(4)],
        "BIOMETRIC",
    ),
    (
        "基因序列",
        ["ATGCGTACGTTAGCCTAGGCTAACGTTAGCATGCAATG", "GGCTAACGTTAGCATGCAATGATGCGTACGTTAGCCTA"],
        "BIOMETRIC",
    ),
    ("password_hash", ["$2b$12$" + "a" * 53, "$2y$10$" + "b" * 53], "CREDENTIAL"),
]


@pytest.mark.parametrize(
    ("header", "values", "expected"), CATEGORIES, ids=[c[0] for c in CATEGORIES]
)
def test_from_header_with_matching_values(header, values, expected):
    assert entity({header: cycle(values)}, header) == expected


@pytest.mark.parametrize(
    ("header", "values", "expected"), CATEGORIES, ids=[c[0] for c in CATEGORIES]
)
def test_from_values_alone(header, values, expected):
    assert entity({"c1": cycle(values)}, "c1") == expected


# Categories that need their header: the values alone are too common a shape.
HEADER_ONLY = [
    ("出生日期", ["1990-03-07", "1985年12月3日", "2001/6/1"], "DATE_OF_BIRTH"),
    ("xbdm", ["1", "2"], "GENDER"),
    ("mzdm", ["01", "03", "05"], "ETHNICITY"),
    ("icd10", ["E11.9", "I10", "J45.9"], "HEALTH"),
    ("住院号", ["ZY20230012345", "ZY20230012346"], "HEALTH"),
    ("罪名", ["盗窃罪", "诈骗罪"], "CRIMINAL_RECORD"),
    ("idfa", ["6D92078A-8246-4BA4-AE5B-76104861E7DC", "9774d56d682e549c"], "DEVICE_ID"),
    ("QQ号", ["123456789", "10001"], "QQ_ID"),
    ("hyzkdm", ["10", "20", "40"], "MARITAL_STATUS"),
    ("meid", ["A3593AD699FC1F3", "A7CD5BB2E35CBFA", "A0F19C557067CB6"], "DEVICE_ID"),
    ("imsi", ["460011234567891", "460001234567890", "460031234567892"], "DEVICE_ID"),
    ("银行账号", ["11001018800053012345", "3100 0101 0000 1234 5678"], "BANK_ACCOUNT"),
    ("微信号", ["zhang_san88", "wxid_abc123def456"], "WECHAT_ID"),
    ("password", ["P@ssw0rd!", "zhangsan1990"], "CREDENTIAL"),
    ("pwd_md5", ["5f4dcc3b5aa765d61d8327deb882cf99"], "CREDENTIAL"),
    ("face_embedding", [vector(128), vector(512)], "BIOMETRIC"),
    ("full_name", ["John Smith", "Mary Jones", "ZHANG SAN"], "PERSON"),
]


@pytest.mark.parametrize(
    ("header", "values", "expected"), HEADER_ONLY, ids=[c[0] for c in HEADER_ONLY]
)
def test_needs_its_header(header, values, expected):
    assert entity({header: cycle(values)}, header) == expected
    assert entity({"c1": cycle(values)}, "c1") != expected


def test_name_column_holding_region_names_is_not_person():
    assert entity({"name": cycle(REGIONS)}, "name") is None
    assert entity({"姓名": cycle(REGIONS)}, "姓名") != "PERSON"


def test_name_column_holding_products_or_levels_is_not_person():
    products = ["王老吉凉茶", "金龙鱼花生油", "康师傅方便面", "云南白药牙膏", "iPhone 15"]
    assert entity({"name": cycle(products)}, "name") is None
    assert entity({"level": cycle(["高级", "中级", "初级"])}, "level") is None
    assert entity({"color": cycle(["红色", "白色", "黄色", "蓝色"])}, "color") is None


def test_plain_name_header_with_names_is_person():
    assert entity({"name": cycle(NAMES)}, "name") == "PERSON"


def test_email_verified_zero_one_is_not_gender():
    got = verdicts({"email_verified": cycle(["0", "1"]), "sex": cycle(["1", "2"])})
    assert got["email_verified"]["entity"] is None
    assert got["sex"]["entity"] == "GENDER"


def test_halal_food_is_not_religion():
    menu = ["清真牛肉面", "清真烤羊肉串", "清真食品专柜", "清真寺旁的面馆"]
    assert entity({"菜品": cycle(menu)}, "菜品") is None
    assert entity({"备注": cycle(["楼下新开了一家清真餐厅，味道不错。"])}, "备注") is None


def test_religion_in_remarks_is_found():
    remarks = ["客户信仰伊斯兰教，配送清真食品。"] + ["按时送达。"] * 5
    assert entity({"备注": cycle(remarks)}, "备注") == "RELIGION"


def test_free_text_column_with_patient_notes():
    notes = ["患者张伟，男，45岁，确诊为2型糖尿病，长期服用二甲双胍。", "复诊，血压控制良好。"]
    got = verdicts({"病程记录": cycle(notes)})["病程记录"]
    assert got["entity"] == "HEALTH"
    assert got["tier"] == "sensitive"
    assert got["entities"].get("PERSON", 0) > 0


def test_policies_tier_the_new_entities():
    got = verdicts({"QQ号": cycle(["123456789"]), "宗教信仰": cycle(["佛教"])})
    assert got["QQ号"]["tier"] == "general" and got["QQ号"]["category"] == "network_identity"
    assert got["宗教信仰"]["tiers"] == {
        "gbt35273": "sensitive",
        "gbt45574": "sensitive",
        "gdpr": "sensitive",
    }


def test_marital_status_is_sensitive_under_gbt35273_only():
    # GB/T 35273-2020 Annex B lists 婚史; GB/T 45574-2025 removed it; GDPR art. 9 has no such
    got = verdicts({"婚姻状况": cycle(["已婚", "未婚", "离异"])})["婚姻状况"]
    assert got["category"] == "marital"
    assert got["tiers"] == {"gbt35273": "sensitive", "gbt45574": "general", "gdpr": "general"}


BODY = {"身高": cycle(["172cm", "165", "180.5"]), "血型": cycle(["A型", "O型 Rh阴性"])}


def test_body_metrics_are_general_alone_under_gbt45574_and_sensitive_by_gbt35273():
    got = verdicts(BODY)
    for name in BODY:
        assert got[name]["entity"] == "HEALTH" and got[name]["category"] == "health"
        assert got[name]["tiers"] == {
            "gbt35273": "sensitive",
            "gbt45574": "general",
            "gdpr": "sensitive",
        }
    alone = scan_table(pa.table(BODY), "t", ScanOptions(sample_rows=0, policy="gbt45574"))
    assert [c["tier"] for c in alone["columns"]] == ["general", "general"]
    assert alone["columns"][1]["evidence"]["tier_by"] == ["health_blood_type_cell"]
    assert "sensitive_with" not in alone["columns"][1]["evidence"]


def test_body_metrics_next_to_a_diagnosis_are_sensitive_under_gbt45574():
    # "unless linked to a medical condition": a table that also holds health records
    diagnoses = cycle(["高血压", "2型糖尿病", "冠心病"])
    got = verdicts({**BODY, "诊断": diagnoses})
    for name in BODY:
        assert got[name]["tiers"]["gbt45574"] == "sensitive"
    table = pa.table({k: pa.array(v) for k, v in {**BODY, "诊断": diagnoses}.items()})
    under_45574 = scan_table(table, "t", ScanOptions(sample_rows=0, policy="gbt45574"))
    cols = {c["name"]: c for c in under_45574["columns"]}
    assert {name: c["tier"] for name, c in cols.items()} == {
        "身高": "sensitive",
        "血型": "sensitive",
        "诊断": "sensitive",
    }
    assert cols["身高"]["evidence"]["sensitive_with"] == ["诊断"]


def test_body_metrics_of_children_stay_sensitive_under_gbt45574():
    table = pa.table(
        {
            **{k: pa.array(v) for k, v in BODY.items()},
            "出生日期": pa.array(cycle(["2015-03-07", "2016年9月1日"])),
        }
    )
    opts = ScanOptions(sample_rows=0, policy="gbt45574", today=dt.date(2025, 6, 1))
    report = scan_table(table, "t", opts)
    assert report.get("minors") is True
    assert [c["tier"] for c in report["columns"][:2]] == ["sensitive", "sensitive"]


def test_findings_of_body_metrics_carry_their_recognizers_tier(tmp_path):
    import io
    import json

    from pii_scan.scan import scan_paths

    (tmp_path / "t.csv").write_text("血型,诊断\nA型,\nO型,\n", encoding="utf-8")
    out = io.StringIO()
    scan_paths([str(tmp_path)], ScanOptions(sample_rows=0, policy="gbt45574"), findings=out)
    tiers = {json.loads(line)["tier"] for line in out.getvalue().splitlines()}
    assert tiers == {"general"}  # a finding is tiered alone; the column decides about links


# -- minors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "minors"),
    [
        ({"姓名": NAMES[:2], "年龄": ["8", "35"], "手机号": ["13800138000", "13912345678"]}, 1),
        ({"name": NAMES[:2], "age": ["8岁", "9岁"]}, 2),
        ({"年龄": ["14", "15"], "手机号": ["13800138000", "13912345678"]}, 0),
        # not an age column: a small number under another header is no child
        ({"account_age": ["3", "5"], "mobile": ["13800138000", "13912345678"]}, 0),
    ],
)
def test_ages_under_14_make_the_table_sensitive(columns, minors):
    got = verdicts(columns, today=dt.date(2026, 1, 15))
    table = got.pop("__table__")
    assert table.get("minors_count", 0) == minors
    ages = [c for c in got.values() if c["entity"] == "AGE"]
    assert len(ages) == (0 if "account_age" in columns else 1)
    if minors:
        assert all(c["tier"] == "sensitive" for c in got.values() if c["entity"])


def test_birth_dates_of_children_make_the_table_sensitive():
    today = dt.date(2025, 6, 1)
    students = {
        "学生姓名": cycle(NAMES),
        "出生日期": cycle(["2015-03-07", "2016年9月1日", "2014/12/31"]),
        "班级": cycle(["三年级一班", "二年级二班"]),
    }
    got = verdicts(students, today=today)
    table = got["__table__"]
    assert table.get("minors") is True
    assert got["出生日期"]["entity"] == "DATE_OF_BIRTH"
    assert got["学生姓名"]["tier"] == "sensitive"  # PERSON is general, minors make it sensitive
    assert got["班级"]["tier"] is None


def test_adult_birth_dates_do_not_set_minors():
    got = verdicts({"姓名": cycle(NAMES), "birthday": cycle(["1990-03-07", "1985-12-03"])})
    assert "minors" not in got["__table__"]
    assert got["姓名"]["tier"] == "general"


def test_birth_date_in_text_counts_for_minors():
    today = dt.date(2025, 6, 1)
    notes = ["学生王小明，出生日期：2015年6月1日，就读于三年级。"]
    got = verdicts({"备注": cycle(notes)}, today=today)
    assert got["__table__"].get("minors") is True


# -- coordinates ----------------------------------------------------------------------------


def lat_lng(n=ROWS):
    rng = random.Random(3)
    return [f"{rng.uniform(18.2, 53.5):.6f}" for _ in range(n)], [
        f"{rng.uniform(73.6, 134.9):.6f}" for _ in range(n)
    ]


def test_lat_lng_named_pair_is_geo_coordinate():
    lat, lng = lat_lng()
    got = verdicts({"user": cycle(NAMES), "lat": lat, "lng": lng})
    assert got["lat"]["entity"] == got["lng"]["entity"] == "GEO_COORDINATE"
    assert got["lat"]["tier"] == "sensitive"
    assert got["__table__"]["geo_pairs"] == [{"latitude": "lat", "longitude": "lng", "by": "name"}]


def test_unnamed_adjacent_degree_columns_pair_by_position():
    lat, lng = lat_lng()
    got = verdicts({"a": lng, "b": lat, "c": cycle(["x"])})
    assert got["a"]["entity"] == got["b"]["entity"] == "GEO_COORDINATE"
    assert got["__table__"]["geo_pairs"][0]["by"] == "position"


def test_lone_latitude_and_exchange_rates_are_not_locations():
    lat, _ = lat_lng()
    got = verdicts({"纬度": lat, "城市": cycle(REGIONS)})
    assert got["纬度"]["entity"] is None
    rates = [f"{random.Random(i).uniform(6.5, 7.5):.4f}" for i in range(ROWS)]
    got = verdicts({"bid": rates, "ask": rates})
    assert got["bid"]["entity"] is None and got["ask"]["entity"] is None


def test_lat_lng_strings_are_geo_coordinate_alone():
    lat, lng = lat_lng()
    pairs = [f"{a},{b}" for a, b in zip(lat, lng, strict=True)]
    assert entity({"坐标": pairs}, "坐标") == "GEO_COORDINATE"
    assert entity({"c1": pairs}, "c1") == "GEO_COORDINATE"
