"""X-01: every folder a CDC lands in ADLS Gen2 is readable by Azure ML — a Datastore on the
same account and filesystem, and a data asset version under that folder — and every data
asset on a CDC filesystem reads a folder some CDC writes."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailStackPolicy, mcsb
from cdcml.policies.ml.ml_require_datastore_data_uri import parse_data_uri
from cdcml.policies.pipeline import TARGET, LandingPath, landing_paths, path_within
from cdcml.policies.stack import Memo, Pending, StackIndex, any_known, cached, depends_on, name_is, named, output
from cdcml.policies.vocabulary import MISSING, as_str, get, one_of

__all__ = ["crossresource_require_ml_asset_for_cdc_target"]


def _name_of(resource: Any) -> str | None:
    """What ``name_is`` compares *resource*'s name as (case-folded): ``None`` when it can't be
    known, ``""`` when it equals no name."""
    try:
        value = get(resource.props, "name")
    except UnknownValueError:
        return None
    if isinstance(value, str):
        return value.casefold()
    return resource.name.casefold() if value is MISSING else ""


def _store_tokens(resources: Sequence[Any], name: str | None) -> frozenset[Hashable]:
    """The account tokens of a datastore (or an abfss URI) given as account *resources*
    and/or *name*: it may read a path only if they meet the path's (:func:`_path_tokens`),
    as ``LandingPath.same_account``'s branches compare them."""
    tokens: set[Hashable] = {("id", id(a)) for a in resources}
    if name:
        tokens.add(("n2", name.casefold()))
        if not resources:
            tokens |= {("n3", name.casefold()), ("n3any",)}
    elif resources:
        names = [_name_of(a) for a in resources]
        tokens |= {("n4", n) for n in names if n}
        if any(n is None for n in names):
            tokens.add(("n4any",))
    return frozenset(tokens)


def _path_tokens(path: LandingPath) -> frozenset[Hashable] | None:
    """A landing path's account tokens (see :func:`_store_tokens`); ``None`` (meets any) for
    a path with neither accounts nor account name."""
    tokens: set[Hashable] = {("id", id(a)) for a in path.accounts}
    if path.account_name:
        tokens.add(("n2", path.account_name.casefold()))
        if not path.accounts:
            tokens |= {("n4", path.account_name.casefold()), ("n4any",)}
    elif path.accounts:
        names = [_name_of(a) for a in path.accounts]
        tokens |= {("n3", n) for n in names if n}
        if any(n is None for n in names):
            tokens.add(("n3any",))
    else:
        return None
    return frozenset(tokens)


class _Keys:
    """Items (datastores, data assets, or paths standing for their landing signature) by
    what "does this datastore read that path?" needs to hold, or to raise: the same
    filesystem (case-folded) and, when both sides have account resources, one of those
    accounts (else the accounts are compared by name); or, on both sides, an account name
    that can't be compared yet — a datastore named by account name only and a path whose
    accounts' names are unknown (*unknown_names*), or a datastore whose accounts' names are
    unknown and a path with an account name only (*name_only*). An item in *everywhere*
    may hold or raise for any item of the other side; an item never added matches nothing."""

    def __init__(self) -> None:
        self.items: set[int] = set()
        # item -> its (filesystem, account tokens or None: any) keys
        self.filesystems: dict[int, set[tuple[str, frozenset[Hashable] | None]]] = {}
        self.by_filesystem: dict[str, set[int]] = {}  # items without account resources
        self.with_accounts: dict[str, set[int]] = {}  # items with account resources
        self.by_account: dict[tuple[Hashable, str], set[int]] = {}  # (account token, filesystem)
        self.unknown_names: set[int] = set()
        self.name_only: set[int] = set()
        self.everywhere: set[int] = set()

    def add(
        self,
        item: int,
        filesystem: str | None,
        unknown_names: bool,
        name_only: bool,
        accounts: frozenset[Hashable] | None = None,
    ) -> None:
        self.items.add(item)
        if filesystem is not None:
            folded = filesystem.casefold()
            self.filesystems.setdefault(item, set()).add((folded, accounts))
            if accounts is None:
                self.by_filesystem.setdefault(folded, set()).add(item)
            else:
                self.with_accounts.setdefault(folded, set()).add(item)
                for account in accounts:
                    self.by_account.setdefault((account, folded), set()).add(item)
        if unknown_names:
            self.unknown_names.add(item)
        if name_only:
            self.name_only.add(item)

    def add_everywhere(self, item: int) -> None:
        self.items.add(item)
        self.everywhere.add(item)

    def include(self, item: int, other: _Keys, theirs: int) -> None:
        """Add *item* with the keys of the *other* side's item *theirs* (a data asset takes
        its datastores' keys)."""
        if theirs in other.everywhere:
            self.add_everywhere(item)
            return
        for filesystem, accounts in other.filesystems.get(theirs, ()):
            self.add(item, filesystem, False, False, accounts)
        if theirs in other.items:
            self.add(item, None, theirs in other.unknown_names, theirs in other.name_only)

    def matching(self, item: int, other: _Keys) -> set[int]:
        """The items of this side that *item* of the *other* side may match: with account
        resources on both sides, only those sharing one (``LandingPath.same_account`` then
        compares resources, never names, so it can't raise)."""
        if item in other.everywhere:
            return set(self.items)
        found = set(self.everywhere)
        for filesystem, accounts in other.filesystems.get(item, ()):
            found |= self.by_filesystem.get(filesystem, set())
            if accounts is None:
                found |= self.with_accounts.get(filesystem, set())
            else:
                for account in accounts:
                    found |= self.by_account.get((account, filesystem), set())
        if item in other.unknown_names:
            found |= self.unknown_names
        if item in other.name_only:
            found |= self.name_only
        return found


class _Stack:
    """The stack's landing resources and ML assets. Each datastore's and data asset's values
    are read once, and each account-and-filesystem check is made once per datastore or data
    asset and landing signature (:meth:`signature`), however many paths share it."""

    def __init__(self, resources: list[Any]) -> None:
        index = StackIndex(resources)
        self.cdcs = index.of_type(T.CHANGE_DATA_CAPTURE)
        self.linked = index.of_type(T.LINKED_SERVICE)
        self.accounts = index.of_type(T.STORAGE_ACCOUNT)
        self.datastores = index.of_type(T.ML_DATASTORE)
        self.versions = index.of_type(T.ML_DATA_VERSION)
        self._adls = Memo(lambda ds: one_of(output(ds, "properties.datastoreType"), ("AzureDataLakeGen2",)))
        self._account = Memo(self._account_of)
        self._filesystem = Memo(lambda ds: output(ds, "properties.filesystem"))
        self.version_location = Memo(self._version_location)
        self._stores = Memo(self._stores_of)
        self._on: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}
        self._reads: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}
        self._signatures: dict[int, int] = {}  # id(path) -> its landing signature's number
        self._numbers: dict[tuple[tuple[int, ...], str | None, str], int] = {}
        self._paths: list[LandingPath] = []  # the paths numbered, kept so their ids stay theirs
        self._unknown_names = Memo(self._name_unknown)
        self._positions = {id(ds): i for i, ds in enumerate(self.datastores)}
        self._datastore_keys: _Keys | None = None
        self._folders: tuple[list[int], dict[str, list[int]]] | None = None
        self._version_keys: _Keys | None = None
        self._path_flags: dict[int, tuple[bool, bool]] = {}  # per signature
        self._version_positions = {id(v): i for i, v in enumerate(self.versions)}

    def signature(self, path: LandingPath) -> int:
        """What the account and filesystem checks of *path* depend on — its accounts (in
        order), its account name and its filesystem — as a number shared by equal paths."""
        number = self._signatures.get(id(path))
        if number is None:
            key = (tuple(id(a) for a in path.accounts), path.account_name, path.filesystem)
            number = self._signatures[id(path)] = self._numbers.setdefault(key, len(self._numbers))
            self._paths.append(path)
        return number

    @staticmethod
    def _account_of(datastore: Any) -> tuple[list[Any], str | None]:
        deps = depends_on(datastore, "properties", T.STORAGE_ACCOUNT)
        try:
            name = as_str(output(datastore, "properties.accountName"))
        except UnknownValueError:
            if not deps:
                raise
            name = None
        return deps, name

    def filesystem_is(self, datastore: Any, filesystem: str) -> bool:
        try:
            value = self._filesystem(datastore)
        except UnknownValueError:
            containers = depends_on(datastore, "properties", T.BLOB_CONTAINER)
            if not containers:
                raise
            return any_known(containers, lambda c: name_is(c, filesystem))
        return isinstance(value, str) and value.strip("/").casefold() == filesystem.casefold()

    def datastore_on(self, datastore: Any, path: LandingPath) -> bool:
        """Whether an ADLS Gen2 datastore reads *path*'s account and filesystem."""
        return cached(self._on, (id(datastore), self.signature(path)), lambda: self._datastore_on(datastore, path))

    def _datastore_on(self, datastore: Any, path: LandingPath) -> bool:
        if not self._adls(datastore):
            return False
        deps, name = self._account(datastore)
        return path.same_account(deps, name) and self.filesystem_is(datastore, path.filesystem)

    @staticmethod
    def _version_location(version: Any) -> dict[str, str] | None:
        uri = as_str(output(version, "properties.dataUri"))
        return parse_data_uri(uri) if uri else None

    def _stores_of(self, version: Any) -> list[Any]:
        where = self.version_location(version) or {}
        return depends_on(version, "properties", T.ML_DATASTORE) or named(where.get("datastore"), self.datastores)

    def version_on(self, version: Any, path: LandingPath, folder: str = "within") -> bool:
        """Whether a data asset version reads *path*'s account and filesystem, and a folder
        *within* the path's folder, one that *overlaps* it, or *any* folder."""
        where = self.version_location(version)
        if where is None:
            return False
        inside = path_within(where["path"], path.folder)
        if folder == "within" and not inside:
            return False
        if folder == "overlaps" and not (inside or path_within(path.folder, where["path"])):
            return False
        key = (id(version), self.signature(path))
        return cached(self._reads, key, lambda: self._version_reads(version, where, path))

    # ---- which datastores and data assets may read a path (any other reads it for certain not)

    def _name_unknown(self, resource: Any) -> bool:
        try:
            get(resource.props, "name")
        except UnknownValueError:
            return True
        return False

    def path_keys(self, paths: Sequence[LandingPath]) -> _Keys:
        """*paths* as :class:`_Keys` items (by position). Comparing a path's account with a
        datastore's can raise only through the names of the path's accounts (a datastore
        given by account name) or, when the path has an account name only, of the
        datastore's accounts."""
        keys = _Keys()
        for i, path in enumerate(paths):
            flags = self._path_flags.get(self.signature(path))
            if flags is None:
                flags = self._path_flags[self.signature(path)] = (
                    any(self._unknown_names(a) for a in path.accounts),
                    not path.accounts and bool(path.account_name),
                )
            keys.add(i, path.filesystem, *flags, _path_tokens(path))
        return keys

    def datastore_keys(self) -> _Keys:
        """The datastores as :class:`_Keys` items (by position); one that isn't ADLS Gen2
        reads nothing, and one whose type, account or filesystem is unknown may read anything."""
        if self._datastore_keys is None:
            keys = _Keys()
            for i, ds in enumerate(self.datastores):
                try:
                    if not self._adls(ds):
                        continue
                    deps, name = self._account(ds)
                    value = self._filesystem(ds)
                except UnknownValueError:
                    keys.add_everywhere(i)  # raises, or matches a container by name
                    continue
                keys.add(
                    i,
                    value.strip("/") if isinstance(value, str) else None,
                    not deps and bool(name),
                    bool(deps) and any(self._unknown_names(a) for a in deps),
                    _store_tokens(deps, name),
                )
            self._datastore_keys = keys
        return self._datastore_keys

    def datastores_for(self, path: LandingPath) -> list[Any]:
        """The datastores that may read *path*, or can't tell, in order."""
        found = self.datastore_keys().matching(0, self.path_keys([path]))
        return [self.datastores[i] for i in sorted(found)]

    def _version_folders(self) -> tuple[list[int], dict[str, list[int]]]:
        """The versions whose location can't be known, and the others by every folder
        their path lies within (``""`` included)."""
        if self._folders is None:
            undecided: list[int] = []
            by_folder: dict[str, list[int]] = {}
            for i, version in enumerate(self.versions):
                try:
                    where = self.version_location(version)
                except UnknownValueError:
                    undecided.append(i)
                    continue
                if where is None:
                    continue
                segments = [s for s in where["path"].split("/") if s]
                for n in range(len(segments) + 1):
                    by_folder.setdefault("/".join(segments[:n]), []).append(i)
            self._folders = (undecided, by_folder)
        return self._folders

    def version_keys(self) -> _Keys:
        """The data asset versions as :class:`_Keys` items (by position): one reading an
        abfss URI by its filesystem (only a path on it can make it compare accounts), one
        reading a datastore by its datastores' keys; one whose location or datastores can't
        be known may read anything, one without a location reads nothing."""
        if self._version_keys is None:
            keys = _Keys()
            datastores = self.datastore_keys()
            for i, version in enumerate(self.versions):
                try:
                    where = self.version_location(version)
                    if where is None:
                        continue
                    if "datastore" not in where:
                        keys.add(i, where["filesystem"], False, False, _store_tokens([], where["account"]))
                        continue
                    stores = self._stores(version)
                except UnknownValueError:
                    keys.add_everywhere(i)
                    continue
                for ds in stores:
                    position = self._positions.get(id(ds))
                    if position is None:
                        keys.add_everywhere(i)
                    else:
                        keys.include(i, datastores, position)
            self._version_keys = keys
        return self._version_keys

    def versions_within(self, path: LandingPath) -> list[Any]:
        """The versions that may read a folder within *path*'s folder on its account and
        filesystem, or can't tell, in order."""
        undecided, by_folder = self._version_folders()
        folder = "/".join(s for s in path.folder.split("/") if s)
        within = {*undecided, *by_folder.get(folder, ())}
        found = within & self.version_keys().matching(0, self.path_keys([path]))
        return [self.versions[i] for i in sorted(found)]

    def paths_read_by(self, version: Any, keys: _Keys) -> list[int]:
        """Positions of the paths (as *keys*) whose account and filesystem the version may
        read, or can't tell, in order."""
        return sorted(keys.matching(self._version_positions[id(version)], self.version_keys()))

    def _version_reads(self, version: Any, where: dict[str, str], path: LandingPath) -> bool:
        """Whether the version (reading *where*) reads *path*'s account and filesystem."""
        if "datastore" in where:
            stores = self._stores(version)
            return any_known(stores, lambda ds: self.datastore_on(ds, path))
        if where["filesystem"].casefold() != path.filesystem.casefold():
            return False
        return path.same_account([], where["account"])


def _validate(args: Any, report_violation: Any) -> None:
    pending = Pending()
    stack = _Stack(args.resources)
    paths: list[LandingPath] = []
    for cdc in stack.cdcs:
        with pending.item():
            paths.extend(landing_paths(cdc, stack.linked, stack.accounts))
    # Whether a datastore reads a path depends on its signature only, whether a data asset
    # reads its folder on its signature and folder: each is decided once.
    read_by_datastore: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}
    read_by_version: dict[Hashable, tuple[Any, UnknownValueError | None]] = {}
    for path in paths:
        where = f"{TARGET}[{path.connection}].targetEntities[{path.table}]"
        on = f" on {', '.join(a.name for a in path.accounts)}" if path.accounts else ""
        with pending.item():
            signature = stack.signature(path)
            by_datastore = partial(any_known, stack.datastores_for(path), partial(stack.datastore_on, path=path))
            if not cached(read_by_datastore, signature, by_datastore):
                report_violation(
                    f"{where} lands change data{on}, but no Azure ML ADLS Gen2 datastore reads that account and "
                    "filesystem, so ML can't consume it.",
                    path.cdc.urn,
                )
                continue
            by_version = partial(any_known, stack.versions_within(path), partial(stack.version_on, path=path))
            if not cached(read_by_version, (signature, path.folder), by_version):
                report_violation(
                    f"{where} lands change data{on}, but no Azure ML data asset version (DataVersion) reads its "
                    "folder, so no training job sees the captured changes.",
                    path.cdc.urn,
                )
    # The paths by signature (in order of first appearance), one per folder: a version reads
    # all paths of a signature or none, and overlaps all paths of a folder or none. Only the
    # signatures it may read (by filesystem, or an account name not known yet) are asked.
    groups: dict[int, dict[str, LandingPath]] = {}
    for path in paths:
        groups.setdefault(stack.signature(path), {}).setdefault(path.folder, path)
    folders_of = list(groups.values())
    standing = [next(iter(folders.values())) for folders in folders_of]
    keys = stack.path_keys(standing)
    for version in stack.versions:
        with pending.item():
            same_filesystem = [
                folders_of[i]
                for i in stack.paths_read_by(version, keys)
                if stack.version_on(version, standing[i], "any")
            ]
            if same_filesystem and not any(
                stack.version_on(version, p, folder="overlaps") for folders in same_filesystem for p in folders.values()
            ):
                report_violation(
                    "The data asset reads a folder of a CDC landing filesystem that no change data capture writes, "
                    "so it never receives changes.",
                    version.urn,
                )
    pending.finish()


crossresource_require_ml_asset_for_cdc_target = GuardrailStackPolicy(
    name="crossresource-require-ml-asset-for-cdc-target",
    description="Every folder a change data capture lands must be registered as an Azure ML data asset on a "
    "datastore, and every data asset on a CDC landing filesystem must read a folder a CDC writes.",
    validate=_validate,
    rule="X-01",
    layer="ml",
    concern="dataflow",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        "Create an Azure ML Datastore (AzureDataLakeGen2) on the landing account and filesystem the CDC target "
        "writes (the fileSystem DSL property), and a DataContainer + DataVersion whose dataUri is "
        "azureml://datastores/<datastore>/paths/<folderPath>/; point data assets only at folders a CDC writes."
    ),
    url="https://learn.microsoft.com/azure/machine-learning/how-to-create-data-assets",
    framework=mcsb("AM-2"),
    resource_types=(
        T.CHANGE_DATA_CAPTURE,
        T.LINKED_SERVICE,
        T.STORAGE_ACCOUNT,
        T.BLOB_CONTAINER,
        T.ML_DATASTORE,
        T.ML_DATA_VERSION,
    ),
)
