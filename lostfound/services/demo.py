"""Demo data: three stations of an invented city, one account per role per station, and the stories.

Every name, address and number here is made up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lostfound import crypto
from lostfound.domain.roles import Role
from lostfound.services import accounts, deeds, found_items, found_notices, lost_reports, matching, stations
from lostfound.services.context import Actor
from lostfound.services.item_contents import ContentInput
from lostfound.services.transactions import write_transaction
from lostfound.settings import TIMEZONE
from lostfound.tables import FoundItem, LostReport

DEMO_STATIONS: list[stations.StationInput] = [
    stations.StationInput(
        code="DC",
        name_zh="东城派出所",
        name_en="Dongcheng Police Station",
        address_zh="东城区青石路18号",
        address_en="18 Qingshi Road, Dongcheng District",
        phone="0579-8660 1110",
        opening_hours_zh="户籍窗口 周一至周五 8:30–12:00，14:00–17:30；值班室 24 小时",
        opening_hours_en="Records desk Mon–Fri 8:30–12:00, 14:00–17:30; duty room 24 hours",
    ),
    stations.StationInput(
        code="FY",
        name_zh="方岩派出所",
        name_en="Fangyan Police Station",
        address_zh="方岩镇岩下街66号",
        address_en="66 Yanxia Street, Fangyan Town",
        phone="0579-8660 2110",
        opening_hours_zh="户籍窗口 周一至周五 8:30–12:00，14:00–17:00；值班室 24 小时",
        opening_hours_en="Records desk Mon–Fri 8:30–12:00, 14:00–17:00; duty room 24 hours",
    ),
    stations.StationInput(
        code="ZY",
        name_zh="芝英派出所",
        name_en="Zhiying Police Station",
        address_zh="芝英镇古麓街9号",
        address_en="9 Gulu Street, Zhiying Town",
        phone="0579-8660 3110",
        opening_hours_zh="户籍窗口 周一至周六 8:30–12:00，14:00–17:00；值班室 24 小时",
        opening_hours_en="Records desk Mon–Sat 8:30–12:00, 14:00–17:00; duty room 24 hours",
    ),
    stations.StationInput(
        code="CQ",
        name_zh="城区分局",
        name_en="City District Bureau",
        address_zh="东城区府前路1号",
        address_en="1 Fuqian Road, Dongcheng District",
        phone="0579-8660 0110",
        opening_hours_zh="失物招领室 周一至周五 8:30–12:00，14:00–17:30",
        opening_hours_en="Lost-property office Mon–Fri 8:30–12:00, 14:00–17:30",
        is_bureau=True,
    ),
]

_ROLE_SUFFIX = {
    Role.DUTY_OFFICER: "duty",
    Role.SUPERVISOR: "supervisor",
    Role.PRESS: "press",
    Role.ADMIN: "admin",
}

_DISPLAY_NAMES = {
    "DC": {
        Role.DUTY_OFFICER: "周明远",
        Role.SUPERVISOR: "陈立新",
        Role.PRESS: "许晓岚",
        Role.ADMIN: "东城系统管理员",
    },
    "FY": {
        Role.DUTY_OFFICER: "应浩然",
        Role.SUPERVISOR: "胡建平",
        Role.PRESS: "楼静怡",
        Role.ADMIN: "方岩系统管理员",
    },
    "ZY": {
        Role.DUTY_OFFICER: "吕子航",
        Role.SUPERVISOR: "程国栋",
        Role.PRESS: "施雨桐",
        Role.ADMIN: "芝英系统管理员",
    },
    # The bureau's lost-property office: officers who take in what the stations send.
    "CQ": {
        Role.DUTY_OFFICER: "郑文博",
        Role.SUPERVISOR: "金振华",
    },
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    station_code: str


def demo_username(station_code: str, role: Role) -> str:
    return f"{station_code.lower()}.{_ROLE_SUFFIX[role]}"


@dataclass(frozen=True)
class Demo:
    accounts: list[DemoAccount]
    owner_report: lost_reports.FiledReport  # the wallet owner's report, to try the claim pages


async def load_demo_if_empty() -> Demo | None:
    """Load the demo stations, accounts and stories into an empty database.

    Returns the accounts with their one-time passwords, or None when data already exists.
    """
    async with write_transaction():  # all of it or nothing: a half-loaded demo would block a retry
        if await accounts.station_count() > 0:
            return None
        demo = await _load(Actor.system("demo"))
    # Matching reads committed data only: run it once the whole demo has landed.
    await matching.refresh_many("report", [row["id"] for row in await LostReport.select(LostReport.id)])
    await matching.refresh_many("item", [row["id"] for row in await FoundItem.select(FoundItem.id)])
    return demo


async def _load(actor: Actor) -> Demo:
    created = await _load_accounts(actor)
    wallet = await _load_night_market_wallet()
    await _load_announced_items()
    await _load_deeds(wallet)
    return Demo(created, await _load_owner_report())


async def _load_owner_report() -> lost_reports.FiledReport:
    """The wallet's owner reports the loss online the same night (and a stranger reports a backpack)."""
    evening = datetime.now(ZoneInfo(TIMEZONE)).replace(
        hour=19, minute=0, second=0, microsecond=0
    ) - timedelta(days=1)
    await lost_reports.file_report(
        Actor.anonymous(),
        lost_reports.LostReportInput(
            category="bag",
            owner=lost_reports.OwnerInput(name="程国栋", phone="139 0579 5120"),
            description="黑色双肩包，内有笔记本电脑和充电器",
            colour="黑色",
            lost_from=evening - timedelta(days=2),
            lost_place="火车站候车室",
            district="东城区",
            consent=True,
        ),
    )
    return await lost_reports.file_report(
        Actor.anonymous(),
        lost_reports.LostReportInput(
            category="wallet",
            owner=lost_reports.OwnerInput(
                name="黎晓梅", id_number="330784198805121239", phone="138 0579 6612"
            ),
            description="棕色长款钱包，里面有身份证、两张银行卡、一些现金，还有一张十万元的存单",
            colour="棕色",
            lost_from=evening,
            lost_to=evening + timedelta(hours=3),
            lost_place="青石路夜市",
            district="东城区",
            consent=True,
        ),
    )


async def _load_night_market_wallet() -> str:
    """The night-market story: a stall keeper hands in a wallet with a large deposit slip."""
    officer = await accounts.member_by_username(demo_username("DC", Role.DUTY_OFFICER))
    found_at = datetime.now(ZoneInfo(TIMEZONE)).replace(
        hour=21, minute=40, second=0, microsecond=0
    ) - timedelta(days=1)
    return await found_items.create_item(
        officer.actor(),
        found_items.FoundItemInput(
            station="DC",
            category="wallet",
            found_at=found_at,
            description="棕色皮质长款钱包，内有身份证、银行卡、现金和一张存单",
            colour="棕色",
            brand="无",
            found_place="青石路夜市 小吃摊位旁",
            district="东城区",
            external_ref="110-DEMO-0042",
            storage_location="A-03",
            finder=found_items.FinderInput(
                name="应师傅（夜市摊主）",
                phone="139 0579 2233",
                consent_to_publish=True,
                wants_news=True,
                reward="waived",
            ),
            contents=[
                ContentInput(kind="id_card", holder_name="黎晓梅", id_number="330784198805121239"),
                ContentInput(
                    kind="bank_card", holder_name="黎晓梅", card_number="6222021234567890128", bank="农业银行"
                ),
                ContentInput(kind="bank_card", holder_name="黎晓梅", card_last4="4417", bank="建设银行"),
                ContentInput(kind="cash", amount="260.00"),
                ContentInput(kind="deposit_slip", holder_name="黎晓梅", bank="农业银行", amount="100000.00"),
                ContentInput(kind="phone_number", phone="138 0579 6612", note="写在钱包内侧的纸条上"),
            ],
        ),
    )


async def _load_announced_items() -> None:
    """Things nobody came for: an umbrella and a bunch of keys, on last month's found-property notice."""
    officer = await accounts.member_by_username(demo_username("DC", Role.DUTY_OFFICER))
    chief = await accounts.member_by_username(demo_username("DC", Role.SUPERVISOR))
    now = datetime.now(ZoneInfo(TIMEZONE)).replace(second=0, microsecond=0)
    references = []
    for days, category, description, colour, place in (
        (45, "other", "黑色长柄雨伞", "黑色", "人民路公交站候车亭"),
        (41, "keys", "钥匙一串（三把），蓝色钥匙扣", "蓝色", "东城公园南门长椅"),
    ):
        references.append(
            await found_items.create_item(
                officer.actor(),
                found_items.FoundItemInput(
                    station="DC",
                    category=category,
                    found_at=now - timedelta(days=days, hours=3),
                    description=description,
                    colour=colour,
                    found_place=place,
                    district="东城区",
                    storage_location="B-11",
                    finder=found_items.FinderInput(name="过路市民"),
                ),
            )
        )
    notice = await found_notices.create(officer.actor(), "DC", references)
    await found_notices.approve(chief.actor(), notice)
    await found_notices.publish(chief.actor(), notice, now=now - timedelta(days=30))


async def _load_deeds(wallet: str) -> None:
    """The two stories as deeds: the stall keeper's honesty, and the night rescue from the river."""
    officer = (await accounts.member_by_username(demo_username("DC", Role.DUTY_OFFICER))).actor()
    night = datetime.now(ZoneInfo(TIMEZONE)).replace(second=0, microsecond=0)
    P = deeds.ParticipantInput
    await deeds.create_deed(
        officer,
        deeds.DeedInput(
            kind="returned_property",
            occurred_at=night.replace(hour=21, minute=40) - timedelta(days=1),
            place="青石路夜市",
            title="夜市摊主拾到装有十万元存单的钱包，第一时间报警",
            narrative=(
                "晚上九点多，青石路夜市一位小吃摊主在摊位旁捡到一个棕色长款钱包，里面有身份证、银行卡、现金"
                "和一张大额存单。他没有打开细看，立即拨打110，在原地等候民警到场。\n"
                "民警根据证件信息很快联系上失主。摊主说：“丢了这么重要的东西，失主肯定急坏了。”"
            ),
            item_reference=wallet,
            participants=[P("civilian", "应师傅（夜市摊主）", True, "surname", "应师傅")],
        ),
    )
    await deeds.create_deed(
        officer,
        deeds.DeedInput(
            kind="rescue",
            occurred_at=night.replace(hour=1, minute=20) - timedelta(days=6),
            place="东城区溪心桥下游江面",
            title="男子深夜落水，实习学警跳江施救",
            narrative=(
                "凌晨一点多，东城派出所接到报警：溪心桥附近有人落水。值班民警带领实习学警和队员赶到现场，"
                "沿岸搜寻后很快发现落水男子。\n"
                "实习学警穿上救生装备跳入江中游向男子，一边稳住他一边安抚情绪。随后赶到的救援队员下水接应，"
                "把救生圈套在男子身上，岸上人员合力将他拉上岸。男子因饮酒后失足落水，经检查身体无大碍。"
            ),
            participants=[
                P("officer", "郑建明", True, "full"),
                P("trainee", "吴一帆", True, "full"),
                P("rescue_team", "东城蓝天救援队", True, "full"),
            ],
        ),
    )


async def _load_accounts(actor: Actor) -> list[DemoAccount]:
    created: list[DemoAccount] = []
    for station in DEMO_STATIONS:
        await stations.create_station(actor, station)
        for role in _DISPLAY_NAMES[station.code]:
            password = crypto.random_password()
            username = demo_username(station.code, role)
            await accounts.create_account(
                actor,
                accounts.NewAccount(
                    username=username,
                    display_name=_DISPLAY_NAMES[station.code][role],
                    role=role.value,
                    station_code=station.code,
                    password=password,
                    must_change_password=False,
                ),
            )
            created.append(DemoAccount(username, password, role, station.code))
    return created
