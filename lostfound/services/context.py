"""Who is acting: passed from the web layer or the CLI into every service call."""

from __future__ import annotations

from dataclasses import dataclass

from lostfound.domain.roles import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: Role | None
    station_code: str
    client_ip: str = ""

    def acts_for(self, station_code: str) -> bool:
        """Whether this actor may change what belongs to ``station_code`` (the command line always may)."""
        return self.role is None or self.station_code == station_code

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The command line or the service itself, acting without a staff login."""
        return cls(user_id=None, username=name, role=None, station_code="")

    @classmethod
    def anonymous(cls, client_ip: str = "") -> Actor:
        return cls(user_id=None, username="", role=None, station_code="", client_ip=client_ip)
