"""Alarm, warning and protection bits of each family, as data (docs/api.md §8, §9).

One `AlarmRow` per documented bit, grouped in an `AlarmTable` per `FamilyKey`,
next to the point layouts in `families.py` and the models in `model_table.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from homeassistant.components.binary_sensor import BinarySensorEntityDescription
from homeassistant.const import EntityCategory

from .api import RealtimeSnapshot
from .const import TOP_OF_CHARGE_SOC
from .families import FamilyKey


class AlarmKind(StrEnum):
    """How serious a condition is; warnings are debounced, the rest are not."""

    WARNING = "warning"
    PROTECTION = "protection"
    FAULT = "fault"


REGISTER_BITS: Final = 16


def register_value(
    snapshot: RealtimeSnapshot | None, register: str, *, sub_points: bool = True
) -> int | None:
    """Return a register as an integer, else rebuilt from its sub-points."""
    if snapshot is None:
        return None
    value = snapshot.number(register)
    if value is not None:
        return int(value)
    if not sub_points:
        return None
    base = int(register)
    rebuilt: int | None = None
    for bit in range(REGISTER_BITS):
        sub = snapshot.number(str(base + bit + 1))
        if sub is not None:
            rebuilt = (rebuilt or 0) | (int(bool(sub)) << bit)
    return rebuilt


@dataclass(frozen=True, slots=True)
class Bit:
    """Bit `bit` of `register`, also sent as its own point `register + bit + 1`."""

    register: str
    bit: int

    @property
    def point(self) -> str:
        """Return the sub-point of the bit (3206 is bit 5 of 3200)."""
        return str(int(self.register) + self.bit + 1)

    def read(self, snapshot: RealtimeSnapshot | None) -> bool | None:
        """Read the sub-point, else the bit of the whole register."""
        if snapshot is None:
            return None
        value = snapshot.number(self.point)
        if value is not None:
            return bool(value)
        register = snapshot.number(self.register)
        if register is None:
            return None
        return bool(int(register) >> self.bit & 1)

    def listed(self, snapshot: RealtimeSnapshot) -> bool:
        """Return whether the device sends the bit or its register at all."""
        return snapshot.has(self.point) or snapshot.has(self.register)


@dataclass(frozen=True, slots=True)
class Register:
    """A whole point that means trouble when non-zero, minus bits read elsewhere.

    With `sub_points`, the device also sends bit k as point `point + k + 1`
    (Tower Pro 44xx), which stands in for an empty register.
    """

    point: str
    ignore: tuple[int, ...] = ()
    sub_points: bool = False

    def code(self, snapshot: RealtimeSnapshot | None) -> int | None:
        """Return the register's value without the ignored bits."""
        value = register_value(snapshot, self.point, sub_points=self.sub_points)
        if value is None:
            return None
        for bit in self.ignore:
            value &= ~(1 << bit)
        return value

    def read(self, snapshot: RealtimeSnapshot | None) -> bool | None:
        """Return whether any bit that no other row reads is set."""
        if not self.ignore and snapshot is not None:
            number = snapshot.number(self.point)
            if number is not None:
                return number != 0
        value = self.code(snapshot)
        return None if value is None else value != 0

    def listed(self, snapshot: RealtimeSnapshot) -> bool:
        """Return whether the device sends the register at all."""
        return snapshot.has(self.point) or (
            self.sub_points and snapshot.has(str(int(self.point) + 1))
        )


@dataclass(frozen=True)
class AlarmRow:
    """One documented alarm, warning, protection or fault condition."""

    key: str
    source: Bit | Register
    kind: AlarmKind
    name: str
    _: KW_ONLY
    # Rows that share one text (with placeholders) name it; the rest use their key.
    translation_key: str = ""
    translation_placeholders: Mapping[str, str] | None = None
    # A high-voltage warning the BMS raises at the top of charge (docs/api.md §9, Q14).
    top_of_charge: bool = False
    # An overall flag: explained away when only top-of-charge warnings are set.
    summary: bool = False

    def __post_init__(self) -> None:
        """Take the key as the translation key unless the row names another."""
        if not self.translation_key:
            object.__setattr__(self, "translation_key", self.key)

    @property
    def point(self) -> str:
        """Return the point id of the condition."""
        return self.source.point


@dataclass(frozen=True, kw_only=True)
class FlagRow(BinarySensorEntityDescription):
    """A BMS status flag, described as the plain binary sensor it is shown as."""

    sources: tuple[Bit, ...]

    def read(self, snapshot: RealtimeSnapshot | None) -> bool | None:
        """Return on when any source bit is set, None when none is known."""
        values = [source.read(snapshot) for source in self.sources]
        known = [value for value in values if value is not None]
        return any(known) if known else None


@dataclass(frozen=True, kw_only=True)
class TopOfCharge:
    """Where a family shows that it is full: SOC and the charge permission."""

    soc: str
    charge_allowed: Bit | Register

    def reached(self, snapshot: RealtimeSnapshot | None) -> bool:
        """Return whether SOC ≥ 99 % and the BMS has disabled charging."""
        if snapshot is None:
            return False
        soc = snapshot.number(self.soc)
        allowed = self.charge_allowed.read(snapshot)
        return soc is not None and soc >= TOP_OF_CHARGE_SOC and allowed is False


@dataclass(frozen=True, kw_only=True)
class AlarmTable:
    """Every condition and flag a family reports, on the master and per module."""

    conditions: tuple[AlarmRow, ...] = ()
    module_conditions: tuple[AlarmRow, ...] = ()
    flags: tuple[FlagRow, ...] = ()
    top_of_charge: TopOfCharge | None = None

    def at_top_of_charge(self, snapshot: RealtimeSnapshot | None) -> bool:
        """Return whether high-voltage warnings count as balancing now."""
        return self.top_of_charge is not None and self.top_of_charge.reached(snapshot)


_W = AlarmKind.WARNING
_P = AlarmKind.PROTECTION
_F = AlarmKind.FAULT

# Family A, docs/api.md §9: sub-point X+k is bit k-1 of byte X; unused (空) bits are left out.
FAMILY_A_CONDITIONS: Final = (
    AlarmRow("cell_voltage_imbalance_warning", Bit("3200", 0), _W, "Cell voltage imbalance warning"),
    AlarmRow("mosfet_high_temperature_warning", Bit("3200", 1), _W, "MOSFET high temperature warning"),
    AlarmRow("cell_low_temperature_warning", Bit("3200", 2), _W, "Cell low temperature warning"),
    AlarmRow("cell_high_temperature_warning", Bit("3200", 3), _W, "Cell high temperature warning"),
    AlarmRow("cell_low_voltage_warning", Bit("3200", 4), _W, "Cell low voltage warning"),
    AlarmRow("cell_high_voltage_warning", Bit("3200", 5), _W, "Cell high voltage warning", top_of_charge=True),
    AlarmRow("pack_low_voltage_warning", Bit("3200", 6), _W, "Pack low voltage warning"),
    AlarmRow("pack_high_voltage_warning", Bit("3200", 7), _W, "Pack high voltage warning", top_of_charge=True),
    AlarmRow("internal_communication_error", Bit("3300", 4), _W, "Internal communication error"),
    AlarmRow("discharge_overcurrent_warning", Bit("3300", 5), _W, "Discharge overcurrent warning"),
    AlarmRow("charge_overcurrent_warning", Bit("3300", 6), _W, "Charge overcurrent warning"),
    AlarmRow("cell_temperature_imbalance_warning", Bit("3300", 7), _W, "Cell temperature imbalance warning"),
    AlarmRow("mosfet_over_temperature_protection", Bit("3400", 1), _P, "MOSFET over-temperature protection"),
    AlarmRow("cell_under_temperature_protection", Bit("3400", 2), _P, "Cell under-temperature protection"),
    AlarmRow("cell_over_temperature_protection", Bit("3400", 3), _P, "Cell over-temperature protection"),
    AlarmRow("cell_under_voltage_protection", Bit("3400", 4), _P, "Cell under-voltage protection"),
    AlarmRow("cell_over_voltage_protection", Bit("3400", 5), _P, "Cell over-voltage protection"),
    AlarmRow("pack_under_voltage_protection", Bit("3400", 6), _P, "Pack under-voltage protection"),
    AlarmRow("pack_over_voltage_protection", Bit("3400", 7), _P, "Pack over-voltage protection"),
    AlarmRow("system_fault_protection", Bit("3500", 3), _F, "System fault protection"),
    AlarmRow("discharge_overcurrent_protection", Bit("3500", 5), _P, "Discharge overcurrent protection"),
    AlarmRow("charge_overcurrent_protection", Bit("3500", 6), _P, "Charge overcurrent protection"),
    AlarmRow("overall_alarm", Register("4100"), _W, "Overall alarm flag", summary=True),
)  # fmt: skip

FAMILY_A_FLAGS: Final = (
    FlagRow(key="charging_allowed", sources=(Bit("4000", 7),), translation_key="charging_allowed"),
    FlagRow(key="discharging_allowed", sources=(Bit("4000", 6),), translation_key="discharging_allowed"),
    FlagRow(
        key="full_charge_request",
        sources=(Bit("4000", 3),),
        translation_key="full_charge_request",
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    FlagRow(
        key="force_charge",
        sources=(Bit("4000", 4), Bit("4000", 5)),
        translation_key="force_charge",
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
)  # fmt: skip

FAMILY_A_TOP_OF_CHARGE: Final = TopOfCharge(soc="800", charge_allowed=Bit("4000", 7))

# LV module fault codes (docs/api.md §8.5, PR#4): bit meanings unknown, so one row per code.
# The warnings count as top-of-charge: a full module reports its high cell voltage here.
LV_MODULE_CONDITIONS: Final = (
    AlarmRow("alarm_code_1", Register("14300"), _W, "Alarm code 1", top_of_charge=True),
    AlarmRow("alarm_code_2", Register("15200"), _W, "Alarm code 2", top_of_charge=True),
    AlarmRow("protection_code", Register("16300"), _P, "Protection code"),
)

# Tower T14/T17/T21 (docs/api.md §8.4, PR#11): 0/1 points, 9999999 the master alarm.
HV_TOWER_CONDITIONS: Final = (
    AlarmRow("voltage_spread_alarm", Register("5001"), _W, "Voltage spread alarm"),
    AlarmRow("temperature_spread_alarm", Register("5002"), _W, "Temperature spread alarm"),
    AlarmRow("low_insulation_alarm", Register("5003"), _W, "Low insulation alarm"),
    AlarmRow("afe_communication_fault", Register("5101"), _F, "AFE communication fault"),
    AlarmRow("bms_communication_fault", Register("5102"), _F, "BMS communication fault"),
    AlarmRow("system_fault", Register("5104"), _F, "System fault"),
    AlarmRow("overall_alarm", Register("9999999"), _W, "Overall alarm flag", summary=True),
)  # fmt: skip


def _register(number: int, ignore: tuple[int, ...] = ()) -> AlarmRow:
    """Describe Tower Pro alarm register `number` (4400 + 100·(number-1))."""
    return AlarmRow(
        key=f"alarm_register_{number}",
        source=Register(str(4300 + 100 * number), ignore, sub_points=True),
        kind=AlarmKind.WARNING,
        translation_key="alarm_register",
        translation_placeholders=MappingProxyType({"number": str(number)}),
        name=f"Alarm register {number}",
    )


# Tower Pro TP7/TP11/TP15 (docs/api.md §8.4, SH@5e06c5e): six flag registers. Only two
# sub-bits are known; every other bit of a register shows as "alarm register N".
HV_TOWER_PRO_CONDITIONS: Final = (
    AlarmRow(
        "cell_voltage_high_level_1",
        Bit("4400", 1),
        _W,
        "Cell voltage high (level 1)",
        top_of_charge=True,
    ),
    AlarmRow(
        "charge_temperature_high_level_1",
        Bit("4400", 2),
        _W,
        "Charge temperature high (level 1)",
    ),
    _register(1, ignore=(1, 2)),
    *(_register(number) for number in range(2, 7)),
)

# Family B has no charge-enable bit: a recommended charge current of 0 A stands in.
HV_TOWER_PRO_TOP_OF_CHARGE: Final = TopOfCharge(
    soc="1400", charge_allowed=Register("2000")
)

FAMILY_A_TABLE: Final = AlarmTable(
    conditions=FAMILY_A_CONDITIONS,
    module_conditions=LV_MODULE_CONDITIONS,
    flags=FAMILY_A_FLAGS,
    top_of_charge=FAMILY_A_TOP_OF_CHARGE,
)
EMPTY_TABLE: Final = AlarmTable()

ALARM_TABLES: Final[Mapping[FamilyKey, AlarmTable]] = MappingProxyType(
    {
        FamilyKey.LV_BMS: FAMILY_A_TABLE,
        # Junior Box sub-modules use their own points (docs/api.md §8.3, #42): no module rows.
        FamilyKey.JUNIOR_BOX: AlarmTable(
            conditions=(
                *FAMILY_A_CONDITIONS,
                AlarmRow(
                    "junior_box_alarm",
                    Register("999999"),
                    _W,
                    "Junior Box alarm flag",
                    summary=True,
                ),
            ),
            flags=FAMILY_A_FLAGS,
            top_of_charge=FAMILY_A_TOP_OF_CHARGE,
        ),
        # On HV sub-boxes 14300… are temperatures, not codes: no module rows.
        FamilyKey.HV_TOWER: AlarmTable(conditions=HV_TOWER_CONDITIONS),
        FamilyKey.HV_TOWER_PRO: AlarmTable(
            conditions=HV_TOWER_PRO_CONDITIONS,
            top_of_charge=HV_TOWER_PRO_TOP_OF_CHARGE,
        ),
        FamilyKey.STACK100: AlarmTable(
            conditions=(
                AlarmRow(
                    "overall_alarm",
                    Register("9999999"),
                    _W,
                    "Overall alarm flag",
                    summary=True,
                ),
            )
        ),
        # Family C masters carry module-style points, codes included (docs/api.md §8.6).
        FamilyKey.LV_5DIGIT: AlarmTable(
            conditions=LV_MODULE_CONDITIONS, module_conditions=LV_MODULE_CONDITIONS
        ),
    }
)


def alarm_table(family_key: FamilyKey | str) -> AlarmTable:
    """Return the alarm table of a family; empty when it has none."""
    try:
        return ALARM_TABLES[FamilyKey(family_key)]
    except (KeyError, ValueError):
        return EMPTY_TABLE


def listed_rows[RowT: (AlarmRow, FlagRow)](
    rows: Iterable[RowT], snapshot: RealtimeSnapshot | None
) -> list[RowT]:
    """Return the rows the device sends; all of them while no sample is known."""
    if snapshot is None:
        return list(rows)
    result: list[RowT] = []
    for row in rows:
        sources = row.sources if isinstance(row, FlagRow) else (row.source,)
        if any(source.listed(snapshot) for source in sources):
            result.append(row)
    return result
