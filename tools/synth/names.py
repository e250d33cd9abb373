"""Word lists for synthetic people: surnames, given-name characters, village names, banks.

Everything here is made up for test data; the weights are rough, Jiangyin-flavoured guesses
(southern Jiangsu has many 张, 王, 陈, 周, 朱, 徐, 沈, 顾, 陆, 缪, 承). Nothing in this module
describes a real person or a real account.
"""

from __future__ import annotations

# (surname, relative weight)
SURNAMES = (
    ("张", 60),
    ("王", 58),
    ("陈", 55),
    ("周", 40),
    ("朱", 34),
    ("徐", 34),
    ("沈", 26),
    ("顾", 26),
    ("陆", 24),
    ("吴", 24),
    ("李", 30),
    ("刘", 22),
    ("黄", 20),
    ("杨", 18),
    ("钱", 16),
    ("缪", 14),
    ("承", 9),
    ("夏", 12),
    ("孙", 14),
    ("胡", 12),
    ("许", 12),
    ("蒋", 10),
    ("邵", 9),
    ("薛", 9),
    ("高", 10),
    ("袁", 8),
    ("殷", 7),
    ("华", 8),
    ("曹", 9),
    ("范", 8),
    ("金", 8),
    ("季", 7),
    ("赵", 10),
    ("郁", 6),
    ("贡", 5),
    ("花", 4),
    ("谢", 7),
    ("何", 7),
    ("唐", 7),
    ("冯", 6),
    ("姚", 7),
    ("卢", 5),
    ("蔡", 6),
    ("丁", 7),
    ("任", 5),
    ("汤", 6),
    ("秦", 5),
    ("刁", 4),
    ("戴", 6),
    ("龚", 5),
    ("尤", 4),
    ("邹", 5),
    ("宋", 5),
    ("葛", 5),
    ("浦", 4),
    ("谈", 4),
    ("包", 4),
    ("严", 5),
    ("倪", 5),
    ("费", 3),
    ("奚", 3),
    ("苏", 4),
    ("欧阳", 1),
    ("司马", 1),
)

MALE_GIVEN = tuple(
    "建国华明伟军忠林荣根福兴德生强平志宏新海祥金宝才庆洪贤良春刚勇斌峰涛杰俊文武"
    "永正元龙虎松鹤云祖兆耀炳锡泉法坤仁义礼信"
)
FEMALE_GIVEN = tuple("英兰芳珍秀凤娟琴玉梅红萍霞云燕丽娣妹敏静慧洁亚美月菊桂花芬彩莲琳娥素秋雪香妙宝银仙翠巧")

# Characters for made-up village and community names.
PLACE_CHARS = tuple(
    "东西南北新旧前后大小上下江河湖塘桥港浜泾湾山岗圩庄庙园林桑花石青黄白马龙凤永兴安宁和平长乐福寿利民红旗朝阳建设"
)

# Made-up card prefixes and lengths per bank code (not real BINs). Unknown codes use DEFAULT.
BANK_ACCOUNT_FORMAT = {
    "JRCB": ("622465", 19),
    "ICBC": ("622202", 19),
    "ABC": ("622848", 19),
    "BOC": ("621661", 19),
    "CCB": ("436742", 16),
    "PSBC": ("621799", 19),
}
DEFAULT_ACCOUNT_FORMAT = ("620000", 18)

# Relative share of participants banking with each bank (JRCB, the rural bank, most).
BANK_WEIGHTS = {"JRCB": 55, "ABC": 12, "ICBC": 10, "PSBC": 9, "CCB": 8, "BOC": 6}
DEFAULT_BANK_WEIGHT = 3

# Relative size of each township's scheme population (zones ≈ 18% of the total, as the seed's
# 8,740万 of 48,056万 self-funded by the two development zones). Unknown codes weigh 1.0.
TOWNSHIP_WEIGHTS = {
    "320281001": 1.6,
    "320281004": 0.6,
    "320281005": 0.7,
    "320281007": 0.8,
    "320281008": 0.6,
    "320281009": 0.6,
    "320281100": 1.0,
    "320281102": 0.9,
    "320281103": 1.1,
    "320281104": 1.2,
    "320281107": 1.3,
    "320281108": 1.2,
    "320281109": 0.9,
    "320281110": 1.0,
    "320281111": 0.8,
    "320281112": 0.9,
    "320281400": 2.0,
    "320281404": 1.6,
}

DEATH_SOURCES = (("公安", 45), ("民政", 25), ("卫健", 20), ("镇街", 10))
