"""The fleet model: accounts, their instances per region, KMS keys and fault settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ssm_tui.emulator.faults import NO_FAULTS, Faults

DEFAULT_AGENT_VERSION = "3.3.1142.0"
LATEST_AGENT_VERSION = DEFAULT_AGENT_VERSION
DEFAULT_IDLE_TIMEOUT = 20 * 60.0
DEFAULT_AGENT_PAYLOAD_SIZE = 1024
WEB_PAGE = "web"  # a port-map value meaning "the emulator's own page naming the instance"

PING_STATUSES = ("Online", "ConnectionLost", "Inactive")
PLATFORM_TYPES = ("Linux", "Windows", "MacOS")
INSTANCE_STATES = {
    "pending": 0,
    "running": 16,
    "shutting-down": 32,
    "terminated": 48,
    "stopping": 64,
    "stopped": 80,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """One AWS account, reached with one access key; ``name`` becomes its profile name."""

    name: str
    account_id: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    user: str = "emulator"
    regions: tuple[str, ...] = ("us-east-1",)
    # IAM actions refused with AccessDenied, e.g. "ssm:StartSession".
    denied_actions: frozenset[str] = frozenset()

    @property
    def arn(self) -> str:
        """The caller's IAM user ARN (what GetCallerIdentity returns)."""
        return f"arn:aws:iam::{self.account_id}:user/{self.user}"

    @property
    def user_id(self) -> str:
        """A stable AIDA-style unique id for the user."""
        return "AIDA" + (self.account_id + self.user.upper().replace("-", ""))[:17].ljust(17, "X")


@dataclass(slots=True, kw_only=True)
class Instance:
    """An EC2 instance and, when ``managed``, the SSM agent on it (mutable so tests can flip it)."""

    instance_id: str
    account_id: str
    region: str
    tags: dict[str, str] = field(default_factory=dict)
    platform_type: str = "Linux"
    platform_name: str = "Amazon Linux"
    platform_version: str = "2023"
    agent_version: str = DEFAULT_AGENT_VERSION
    ping_status: str = "Online"
    state: str = "running"
    private_ip: str = "10.0.0.10"
    instance_type: str = "t3.micro"
    availability_zone: str = ""
    managed: bool = True
    # Instance port -> "host:port" on this machine, or WEB_PAGE for the built-in page.
    ports: dict[int, str] = field(default_factory=dict)
    kms_key_id: str | None = None
    faults: Faults | None = None
    launch_time: float = 1_700_000_000.0

    def __post_init__(self) -> None:
        if not self.availability_zone:
            self.availability_zone = f"{self.region}a"

    @property
    def name(self) -> str:
        """The Name tag, or an empty string."""
        return self.tags.get("Name", "")

    @property
    def online(self) -> bool:
        """True when the agent reports in, so sessions can start."""
        return self.managed and self.ping_status == "Online" and self.state == "running"

    @property
    def computer_name(self) -> str:
        """The host name the agent reports, in EC2's default style for the platform."""
        if self.platform_type == "Windows":
            return "EC2AMAZ-" + self.instance_id[-7:].upper()
        dashed = self.private_ip.replace(".", "-")
        return f"ip-{dashed}.{self.region}.compute.internal"


@dataclass(frozen=True, slots=True, kw_only=True)
class KmsKeySpec:
    """A customer KMS key to create in one account and region (material is made at start)."""

    account_id: str
    region: str
    key_id: str
    aliases: tuple[str, ...] = ()


@dataclass(slots=True, kw_only=True)
class Fleet:
    """Everything the emulator serves.

    ``faults`` and ``kms_key_id`` are fleet-wide defaults for data channels; an instance's
    own setting wins. Instances may be edited in place, but an instance added, removed or
    moved to another account or region later must be followed by ``instances_changed()``
    (appending to or replacing ``instances`` is noticed on its own).
    """

    accounts: list[Account]
    instances: list[Instance] = field(default_factory=list)
    kms_keys: list[KmsKeySpec] = field(default_factory=list)
    faults: Faults = NO_FAULTS
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    # Bytes per output_stream_data payload. Real agents send 1024 (§9.4); a larger value
    # lets benchmarks measure the client rather than this Python agent's per-message cost.
    agent_payload_size: int = DEFAULT_AGENT_PAYLOAD_SIZE
    # The KMS key every session must be encrypted with, unless its instance names one.
    kms_key_id: str | None = None
    # (account_id, region) -> instances, built on first use for the list it was built from.
    _index: dict[tuple[str, str], list[Instance]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _indexed: tuple[int, int] = field(default=(0, -1), init=False, repr=False, compare=False)

    def account_for_key(self, access_key_id: str) -> Account | None:
        """The account an access key id belongs to, if any."""
        return next((a for a in self.accounts if a.access_key_id == access_key_id), None)

    def account_named(self, name: str) -> Account | None:
        """The account with this profile name, if any."""
        return next((a for a in self.accounts if a.name == name), None)

    def instances_in(self, account_id: str, region: str) -> Iterator[Instance]:
        """The instances of one account in one region, in fleet order."""
        return iter(self._by_place().get((account_id, region), ()))

    def instance(self, account_id: str, region: str, instance_id: str) -> Instance | None:
        """One instance by id within an account and region, if it exists there."""
        found = self.instances_in(account_id, region)
        return next((i for i in found if i.instance_id == instance_id), None)

    def instances_changed(self) -> None:
        """Forget the (account, region) index after instances were added, removed or moved."""
        self._indexed = (0, -1)

    def faults_for(self, instance: Instance) -> Faults:
        """The instance's own faults when set, else the fleet-wide default."""
        return instance.faults if instance.faults is not None else self.faults

    def kms_key_for(self, instance: Instance) -> str | None:
        """The KMS key sessions on ``instance`` must use: its own, else the fleet's, else none."""
        return instance.kms_key_id if instance.kms_key_id is not None else self.kms_key_id

    def _by_place(self) -> dict[tuple[str, str], list[Instance]]:
        # Every API request lists one (account, region): index once instead of scanning
        # the whole fleet each time; rebuilt when ``instances`` is replaced or resized.
        key = (id(self.instances), len(self.instances))
        if key != self._indexed:
            index: dict[tuple[str, str], list[Instance]] = {}
            for instance in self.instances:
                index.setdefault((instance.account_id, instance.region), []).append(instance)
            self._index, self._indexed = index, key
        return self._index
