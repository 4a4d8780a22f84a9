"""Enumerations of the registry (REFERENCE §1, §2), with the Chinese labels the forms use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Standard(models.TextChoices):
    NATIONAL = "national", _("国家标准")
    PROVINCIAL = "provincial", _("省定标准")
    CITY = "city", _("市定标准")


class Attribute(models.TextChoices):
    GENERAL = "general", _("一般贫困户")
    DIBAO = "dibao", _("低保贫困户")
    TEKUN = "tekun", _("特困供养贫困户")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    LAND = "land", _("缺土地")
    WATER = "water", _("缺水")
    SKILLS = "skills", _("缺技术")
    LABOUR = "labour", _("缺劳力")
    FUNDS = "funds", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    MOTIVATION = "motivation", _("自身发展动力不足")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    APPLYING = "applying", _("申请中")
    POOR = "poor", _("贫困户(未脱贫)")
    EXITED = "exited", _("已脱贫(享受政策)")
    EXITED_STABLE = "exited_stable", _("脱贫不再享受政策")
    RETURNED = "returned", _("返贫")
    CANCELLED = "cancelled", _("注销")
    MONITOR_RISK = "monitor_risk", _("监测对象(风险未消除)")
    MONITOR_CLEARED = "monitor_cleared", _("监测对象(风险已消除)")


#: Counted in 贫困发生率: registered poor population not yet exited (REFERENCE §4).
NOT_EXITED_STATUSES = {Status.POOR, Status.RETURNED}


class Procedure(models.TextChoices):
    REGISTRATION = "registration", _("建档立卡登记")
    IDENTIFICATION = "identification", _("贫困识别")
    EXIT = "exit", _("脱贫退出")
    ADJUSTMENT = "adjustment", _("动态调整")
    MONITORING = "monitoring", _("防返贫监测")
    CORRECTION = "correction", _("信息更正")
    IMPORT = "import", _("数据导入")
    DEMO = "demo", _("演示数据生成")


class CancelReason(models.TextChoices):
    ALL_DEAD = "all_dead", _("全户死亡")
    MOVED_AWAY = "moved_away", _("全户迁出")
    WRONGLY_REGISTERED = "wrongly_registered", _("错评")
    MERGED = "merged", _("合户")
    SPLIT = "split", _("分户")
    #: The application was refused or withdrawn during identification (识别未通过): the 申请中 record ends.
    NOT_IDENTIFIED = "not_identified", _("识别未通过")


class RoadType(models.TextChoices):
    DIRT = "dirt", _("泥土路")
    GRAVEL = "gravel", _("砂石路")
    CEMENT = "cement", _("水泥路")
    ASPHALT = "asphalt", _("沥青路")


class Fuel(models.TextChoices):
    FIREWOOD = "firewood", _("柴草")
    COAL = "coal", _("煤炭")
    LPG = "lpg", _("液化石油气")
    GAS = "gas", _("天然气")
    ELECTRIC = "electric", _("电")
    BIOGAS = "biogas", _("沼气")
    OTHER = "other", _("其他")


class HouseStructure(models.TextChoices):
    CONCRETE = "concrete", _("钢筋混凝土")
    BRICK_CONCRETE = "brick_concrete", _("砖混")
    BRICK_WOOD = "brick_wood", _("砖瓦砖木")
    EARTH_WOOD = "earth_wood", _("土木")
    BAMBOO_ADOBE = "bamboo_adobe", _("竹草土坯")
    CAVE = "cave", _("窑洞")
    OTHER = "other", _("其他")


class DangerGrade(models.TextChoices):
    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级（局部危险）")
    D = "D", _("D级（整栋危险）")


class Sex(models.TextChoices):
    # GB/T 2261.1 codes
    MALE = "1", _("男")
    FEMALE = "2", _("女")


class IdKind(models.TextChoices):
    RIC = "ric", _("居民身份证")
    DISABILITY = "disability", _("残疾人证")


class Ethnicity(models.TextChoices):
    # GB 3304 codes and names
    HAN = "01", _("汉族")
    MONGOL = "02", _("蒙古族")
    HUI = "03", _("回族")
    TIBETAN = "04", _("藏族")
    UYGHUR = "05", _("维吾尔族")
    MIAO = "06", _("苗族")
    YI = "07", _("彝族")
    ZHUANG = "08", _("壮族")
    BUYEI = "09", _("布依族")
    KOREAN = "10", _("朝鲜族")
    MANCHU = "11", _("满族")
    DONG = "12", _("侗族")
    YAO = "13", _("瑶族")
    BAI = "14", _("白族")
    TUJIA = "15", _("土家族")
    HANI = "16", _("哈尼族")
    KAZAKH = "17", _("哈萨克族")
    DAI = "18", _("傣族")
    LI = "19", _("黎族")
    LISU = "20", _("傈僳族")
    VA = "21", _("佤族")
    SHE = "22", _("畲族")
    GAOSHAN = "23", _("高山族")
    LAHU = "24", _("拉祜族")
    SUI = "25", _("水族")
    DONGXIANG = "26", _("东乡族")
    NAXI = "27", _("纳西族")
    JINGPO = "28", _("景颇族")
    KYRGYZ = "29", _("柯尔克孜族")
    TU = "30", _("土族")
    DAUR = "31", _("达斡尔族")
    MULAO = "32", _("仫佬族")
    QIANG = "33", _("羌族")
    BLANG = "34", _("布朗族")
    SALAR = "35", _("撒拉族")
    MAONAN = "36", _("毛南族")
    GELAO = "37", _("仡佬族")
    XIBE = "38", _("锡伯族")
    ACHANG = "39", _("阿昌族")
    PUMI = "40", _("普米族")
    TAJIK = "41", _("塔吉克族")
    NU = "42", _("怒族")
    UZBEK = "43", _("乌孜别克族")
    RUSSIAN = "44", _("俄罗斯族")
    EVENK = "45", _("鄂温克族")
    DEANG = "46", _("德昂族")
    BONAN = "47", _("保安族")
    YUGUR = "48", _("裕固族")
    GIN = "49", _("京族")
    TATAR = "50", _("塔塔尔族")
    DERUNG = "51", _("独龙族")
    OROQEN = "52", _("鄂伦春族")
    HEZHEN = "53", _("赫哲族")
    MONBA = "54", _("门巴族")
    LHOBA = "55", _("珞巴族")
    JINO = "56", _("基诺族")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    SON_IN_LAW = "son_in_law", _("之女婿")
    GRANDSON = "grandson", _("之孙子")
    GRANDDAUGHTER = "granddaughter", _("之孙女")
    FATHER = "father", _("之父")
    MOTHER = "mother", _("之母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


#: Relations that fix the member's sex (REFERENCE §6.10: 之子 must be male ...).
RELATION_SEX = {
    Relation.SON: Sex.MALE,
    Relation.SON_IN_LAW: Sex.MALE,
    Relation.GRANDSON: Sex.MALE,
    Relation.FATHER: Sex.MALE,
    Relation.DAUGHTER: Sex.FEMALE,
    Relation.DAUGHTER_IN_LAW: Sex.FEMALE,
    Relation.GRANDDAUGHTER: Sex.FEMALE,
    Relation.MOTHER: Sex.FEMALE,
}


class Education(models.TextChoices):
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专/中职")
    COLLEGE = "college", _("大专及以上")


class SchoolStatus(models.TextChoices):
    PRESCHOOL = "preschool", _("学前")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    HIGHER_VOCATIONAL = "higher_vocational", _("高职/大专")
    UNDERGRADUATE = "undergraduate", _("本科及以上")
    NONE = "none", _("非在校生")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患大病")
    DISABLED = "disabled", _("残疾")


class DisabilityCategory(models.TextChoices):
    # Order as in the 残疾人证 number's 19th digit (GB/T 26341)
    VISUAL = "1", _("视力残疾")
    HEARING = "2", _("听力残疾")
    SPEECH = "3", _("言语残疾")
    PHYSICAL = "4", _("肢体残疾")
    INTELLECTUAL = "5", _("智力残疾")
    MENTAL = "6", _("精神残疾")
    MULTIPLE = "7", _("多重残疾")


class DisabilityGrade(models.TextChoices):
    ONE = "1", _("一级")
    TWO = "2", _("二级")
    THREE = "3", _("三级")
    FOUR = "4", _("四级")


class Labour(models.TextChoices):
    NORMAL = "normal", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class WorkStatus(models.TextChoices):
    TOWNSHIP = "township", _("乡镇内务工")
    COUNTY = "county", _("县内乡外务工")
    PROVINCE = "province", _("省内县外务工")
    OUTSIDE = "outside", _("省外务工")


class RemovalReason(models.TextChoices):
    DEATH = "death", _("死亡")
    PRISON = "prison", _("服刑")
    MISSING = "missing", _("失踪")
    MOVED_OUT = "moved_out", _("外嫁/迁出")
    SPLIT = "split", _("分户")
    ERROR = "error", _("错录")


class LineKind(models.TextChoices):
    NATIONAL = "national", _("国家扶贫标准")
    PROVINCIAL = "provincial", _("省定标准")
    CITY = "city", _("市定标准")
    MONITORING = "monitoring", _("防返贫监测线")
