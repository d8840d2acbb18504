"""Spans in Chinese free text: where names and addresses end, what must not be found, and that
jieba stays out of structured columns."""

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from pii_scan.catalog import load_catalog
from pii_scan.nlp import find_in_text
from pii_scan.nlp.person import NOT_LAST
from pii_scan.validators import birth_date


def found(matcher, text, entity=None):
    t = matcher.match_array(pa.array([text]), column="text", values=True, min_score=0.5)
    return [(r["entity"], r["value"]) for r in t.to_pylist() if entity in (None, r["entity"])]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("联系人张伟电话13800138000", ["张伟"]),
        ("患者李秀英，女，45岁，因胸闷入院", ["李秀英"]),
        ("收货人：欧阳娜娜，请放快递柜", ["欧阳娜娜"]),
        ("感谢王磊医生的耐心解答", ["王磊"]),
        ("张伟于2023年入职，李娜来电反映问题", ["张伟", "李娜"]),
        ("患者买买提·吐尔逊复诊", ["买买提·吐尔逊"]),
        ("王先生来电咨询，李女士已回访", []),
        ("高中在哪里读的？周末在家休息。", []),
        ("全部名称日本地区方法精华个人安全", []),
        # words before a title, time words after a cue, roles and brands at a clause's start
        ("请联系项目经理，司机师傅很好，门诊医生说办公室主任在开会", []),
        ("安装师傅已预约，车间主任已签字", []),
        ("患者于昨日下午跌倒，患者曾于外院行手术", []),
        ("顾客说没收到货，支付宝已到账，华为表示会跟进", []),
        ("请转告陈刚医生，患者于敏复诊，已通知秦建先生", ["陈刚", "于敏", "秦建"]),
        ("付款人：陈晓明，审核人：孙丽", ["陈晓明", "孙丽"]),
    ],
)
def test_person_spans(matcher, text, names):
    assert [v for _, v in found(matcher, text, "PERSON")] == names


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("我家住在北京市朝阳区建国路88号，有事电话联系", "北京市朝阳区建国路88号"),
        (
            "请寄到广东省深圳市南山区科技园路18号阳光花园3栋1201室附近的快递站",
            "广东省深圳市南山区科技园路18号阳光花园3栋1201室",
        ),
        ("家住解放路12号天鹅湖5栋302室，请上门", "解放路12号天鹅湖5栋302室"),
        ("地址：河南省周口市郸城县李楼乡王庄村3组12号。", "河南省周口市郸城县李楼乡王庄村3组12号"),
    ],
)
def test_address_span_ends_where_the_address_ends(matcher, text, address):
    assert found(matcher, text, "CN_ADDRESS") == [("CN_ADDRESS", address)]


@pytest.mark.parametrize(
    "text",
    ["北京市朝阳区今天有小雨", "人民路与解放路交叉口施工", "黄山市旅游发展大会召开"],
)
def test_region_names_and_roads_alone_are_not_addresses(matcher, text):
    assert found(matcher, text, "CN_ADDRESS") == []


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("他从小信仰伊斯兰教", "RELIGION", "信仰伊斯兰教"),
        ("该员因盗窃罪被判处有期徒刑二年", "CRIMINAL_RECORD", "被判处"),
        ("用户自述为双性恋", "SEXUAL_ORIENTATION", "双性恋"),
        ("既往史：高血压，青霉素过敏", "HEALTH", "青霉素过敏"),
        ("诊断为带状疱疹，予对症治疗", "HEALTH", "带状疱疹"),
        # a value before its label: words outside the health vocabulary
        ("患者因关节肿痛就诊", "HEALTH", "关节肿痛"),
        ("因为反复咳嗽 来诊", "HEALTH", "反复咳嗽"),
        ("诊断为流感，予连花清瘟胶囊治疗", "HEALTH", "连花清瘟胶囊"),
        ("姓名：李娜 性别：女 民族：回族", "ETHNICITY", "回族"),
        ("姓名：李娜 性别：女 民族：回族", "GENDER", "女"),
        ("加我微信：zhang_san88，备注来意", "WECHAT_ID", "zhang_san88"),
        ("有问题加我QQ：123456789", "QQ_ID", "123456789"),
        ("出生日期：2015年6月1日", "DATE_OF_BIRTH", "2015年6月1日"),
        ("婚姻状况：离异，育有一子", "MARITAL_STATUS", "离异"),
        (
            "请汇入对公账户：11001018800053012345，注明订单号",
            "BANK_ACCOUNT",
            "11001018800053012345",
        ),
        ("定位：39.904200,116.407400", "GEO_COORDINATE", "39.904200,116.407400"),
    ],
)
def test_sensitive_categories_in_text(matcher, text, entity, value):
    assert (entity, value) in found(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "楼下新开了一家清真牛肉面馆，味道不错。",
        "超市清真食品专柜在二楼。",
        "佛教文化旅游节下月开幕。",
        "张同志今天值班。",
        "预防犯罪宣传周活动圆满结束。",
        "本周举办糖尿病的预防知识讲座。",
        "邮箱123456789@qq.com",
        "微信支付成功",
        "因此到医院就诊的人多了",
        "因为下雨，没有去就诊",
        "予以退款，欢迎再次光临",
        "密码已重置，请查收短信",
        "手术室装修招标公告",
    ],
)
def test_nothing_sensitive_here(matcher, text):
    assert [e for e, _ in found(matcher, text)] in ([], ["EMAIL_ADDRESS"])


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("QQ:12345678", "QQ_ID", "12345678"),
        ("qq 10086123", "QQ_ID", "10086123"),
        ("WeChat: zhang_san88", "WECHAT_ID", "zhang_san88"),
        ("VX:zhang_san88", "WECHAT_ID", "zhang_san88"),
        ("wx: zhang-san88", "WECHAT_ID", "zhang-san88"),
        ("ICD-10: E11.9", "HEALTH", "E11.9"),
        ("status: LGBTQ", "SEXUAL_ORIENTATION", "LGBTQ"),
    ],
)
def test_latin_labels_in_cells_without_hanzi(matcher, text, entity, value):
    # The cell has no Hanzi: the shared trigger pass over Hanzi cells never sees it.
    assert (entity, value) in found(matcher, text)


def test_latin_labels_are_whole_words_in_codes_and_addresses(matcher):
    codes = [
        "b3vxAbc12Def",  # vx inside a random code
        "Zwx_abcdef12",
        "wxid_abc123def456",  # a WeChat id, but no label before it
        "aQQ12345678",
        "k3LGBTq9",
        "lvxuanwen461@example.com",  # pinyin holding "vx"
        "weixinbin262@example.org",
        "123456789@qq.com",
    ]
    t = matcher.match_array(pa.array(codes * 100), column="c", min_score=0.5)
    assert set(t.column("entity").to_pylist()) <= {"EMAIL_ADDRESS"}


def test_cells_without_hanzi_are_searched_in_groups(matcher, monkeypatch):
    # A column of codes: runs of cells searched as one value first; a cell holding a label
    # is still found wherever it stands in its run, and only its run is searched cell by cell.
    import pyarrow.compute as pc

    from pii_scan.nlp import gate

    seen = []
    real = pc.match_substring_regex

    def spy(values, pattern, **kw):
        seen.append(len(values))
        return real(values, pattern, **kw)

    monkeypatch.setattr(pc, "match_substring_regex", spy)
    codes = [f"sku-{i:x}" for i in range(1000)]
    for at in (0, 63, 64, 999):
        cells = codes.copy()
        cells[at] = "QQ:12345678"
        seen.clear()
        t = matcher.match_array(pa.array(cells), column="c", min_score=0.5)
        assert [(r["row"], r["entity"]) for r in t.to_pylist()] == [(at, "QQ_ID")]
        groups = -(-len(cells) // gate.GROUP)
        assert groups in seen and max(seen) <= gate.GROUP  # no pass over all 1,000 cells


def test_find_in_text_gives_code_point_spans():
    rec = load_catalog()["person_name_cue"]
    text = "联系人：张伟，电话"
    assert find_in_text(rec, text) == [(4, 6)]


def test_person_cell_pattern_and_code_agree_on_place_suffixes():
    # The cell pattern's excluded last characters and NOT_LAST in person.py are one list.
    pattern = load_catalog()["person_name_cell"].pattern
    for ch in NOT_LAST:
        assert ch in pattern, ch


def test_birth_dates_batch():
    rows = ["2015-03-07", "2015/3/7 ", "20150307  "]
    width = max(len(r.encode()) for r in rows)
    chars = np.array([list(r.encode().ljust(width)) for r in rows], dtype=np.uint8)
    assert birth_date.birth_dates(chars).astype(str).tolist() == ["2015-03-07"] * 3
    assert birth_date.is_valid("1985年12月3日") and not birth_date.is_valid("1985-13-03")
    assert not birth_date.is_valid(None) and not birth_date.is_valid("😀")


def test_structured_columns_never_load_jieba():
    code = (
        "import sys, pyarrow as pa\n"
        "from pii_scan.core import Matcher\n"
        "m = Matcher()\n"
        "for values in (['张伟', '李娜'], ['13800138000'], ['北京市朝阳区建国路88号'], "
        "['客户对服务满意。'], ['清真牛肉面']):\n"
        "    m.match_array(pa.array(values * 50), column='c')\n"
        "print('jieba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
