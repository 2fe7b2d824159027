"""The plugin host: discovery, isolation of broken plugins, duplicates, hooks, allow/deny."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from passeur import load_registry
from passeur.errors import UnknownDocumentTypeError, UnknownSystemError
from passeur.plugins import iter_hook_names, make_plugin_manager
from passeur.testing import installed_distribution

GOOD = '''
from passeur import SystemSpec, DocumentType, FieldSpec, hookimpl

@hookimpl
def passeur_register_systems(register):
    register(SystemSpec(name="{system}", title="T",
        document_types=(DocumentType(name="invoice", canonical="invoice",
                                     fields=(FieldSpec("No"),)),)))
'''

BUILTINS = {"passeur", "vosfactures", "erpconnector"}


def by_name(registry, name):
    return next(p for p in registry.plugins if p.name == name)


def test_builtin_systems_load_without_error() -> None:
    registry = load_registry()
    assert set(registry.systems) >= BUILTINS
    for name in ("vosfactures", "erpconnector"):
        record = by_name(registry, name)
        assert record.error is None
        assert record.distribution == "passeur"
        assert record.systems == (name,)


def test_make_plugin_manager_holds_no_plugin() -> None:
    pm = make_plugin_manager()
    assert pm.get_plugins() == set()
    assert sorted(n for n in vars(pm.hook) if n.startswith("passeur_")) == list(iter_hook_names())


def test_plugin_failing_to_import_is_reported_and_others_work(tmp_path: Path) -> None:
    with installed_distribution(tmp_path, "passeur-broken", "0.1",
                                {"passeur_broken": "raise RuntimeError('boom at import')"},
                                {"broken": "passeur_broken"}):
        registry = load_registry()
    record = by_name(registry, "broken")
    assert record.distribution == "passeur-broken"
    assert record.version == "0.1"
    assert record.error == "cannot import 'passeur_broken': RuntimeError: boom at import"
    assert set(registry.systems) >= BUILTINS


def test_misspelled_hook_is_named_with_a_suggestion(tmp_path: Path) -> None:
    source = "def passeur_register_sytems(register):\n    pass\n"
    with installed_distribution(tmp_path, "passeur-typo", "1.0", {"passeur_typo": source},
                                {"typo": "passeur_typo"}):
        registry = load_registry()
    assert by_name(registry, "typo").error == (
        "unknown hook 'passeur_register_sytems'; did you mean 'passeur_register_systems'?")
    assert set(registry.systems) >= BUILTINS
    registry.pm.check_pending()  # the bad plugin was unregistered: nothing pending


def test_wrong_hook_arguments_are_refused(tmp_path: Path) -> None:
    source = "def passeur_register_systems(register, extra):\n    pass\n"
    with installed_distribution(tmp_path, "passeur-args", "1.0", {"passeur_args": source},
                                {"args": "passeur_args"}):
        registry = load_registry()
    error = by_name(registry, "args").error
    assert error is not None and "extra" in error and "passeur_register_systems" in error


def test_plugin_raising_while_registering_is_isolated(tmp_path: Path) -> None:
    source = "def passeur_register_systems(register):\n    raise ValueError('bad spec')\n"
    with installed_distribution(tmp_path, "passeur-raise", "1.0", {"passeur_raise": source},
                                {"raise": "passeur_raise"}):
        registry = load_registry()
    assert by_name(registry, "raise").error == (
        "registering systems failed: ValueError: bad spec")
    assert set(registry.systems) >= BUILTINS


def test_duplicate_system_names_refused_naming_both_distributions(tmp_path: Path) -> None:
    with installed_distribution(tmp_path / "a", "passeur-one", "1.0",
                                {"dup_one": GOOD.format(system="twin")}, {"one": "dup_one"}), \
         installed_distribution(tmp_path / "b", "passeur-two", "2.0",
                                {"dup_two": GOOD.format(system="twin")}, {"two": "dup_two"}):
        registry = load_registry()
    assert "twin" not in registry.systems
    expected = ("system 'twin' is provided by both passeur-one (one) and passeur-two (two); "
                "disable one with PASSEUR_DISABLE_PLUGINS (or register one with override=True)")
    assert by_name(registry, "one").error == expected
    assert by_name(registry, "two").error == expected


def test_deny_list_leaves_a_plugin_out(tmp_path: Path) -> None:
    registry = load_registry(environ={"PASSEUR_DISABLE_PLUGINS": "vosfactures"})
    assert "vosfactures" not in registry.systems
    assert "erpconnector" in registry.systems
    assert "passeur" in registry.systems  # core's own system is never disabled


def test_allow_list_by_distribution_name(tmp_path: Path) -> None:
    with installed_distribution(tmp_path, "passeur-extra", "1.0",
                                {"extra_sys": GOOD.format(system="extra")},
                                {"extra": "extra_sys"}):
        only_extra = load_registry(environ={"PASSEUR_PLUGINS": "passeur-extra"})
        only_builtin = load_registry(environ={"PASSEUR_PLUGINS": "vosfactures, erpconnector"})
    assert set(only_extra.systems) == {"passeur", "extra"}
    assert set(only_builtin.systems) == BUILTINS


def test_unknown_system_suggests_the_closest_name() -> None:
    registry = load_registry(environ={"PASSEUR_PLUGINS": "vosfactures,erpconnector"})
    with pytest.raises(UnknownSystemError) as info:
        registry.system("vosfacture")
    assert str(info.value) == ("unknown system 'vosfacture'; did you mean 'vosfactures'? "
                               "(known systems: erpconnector, passeur, vosfactures)")


def test_variant_names_resolve_to_their_system() -> None:
    registry = load_registry()
    spec, variant = registry.resolve("acomba")
    assert (spec.name, variant) == ("erpconnector", "acomba")
    with pytest.raises(UnknownSystemError, match="did you mean 'acomba'"):
        registry.resolve("acombaa")


def test_aliases_resolve_to_their_system_but_never_hide_a_system() -> None:
    registry = load_registry()
    spec, variant = registry.resolve("src")
    assert (spec.name, variant) == ("sagesrc", None)
    with pytest.raises(UnknownSystemError, match="did you mean 'src'"):
        registry.resolve("srcc")
    shadow = attrs.evolve(registry.systems["sagesrc"], aliases=("src", "vosfactures"))
    registry.systems["sagesrc"] = shadow
    assert registry.resolve("vosfactures")[0].name == "vosfactures"


def test_unknown_document_type_suggests() -> None:
    registry = load_registry()
    with pytest.raises(UnknownDocumentTypeError, match="did you mean 'invoice'"):
        registry.document_type("passeur", "invoices")


def test_in_process_plugin_object(tmp_path: Path) -> None:
    class Plugin:
        @staticmethod
        def passeur_register_systems(register):
            from passeur import DocumentType, SystemSpec
            register(SystemSpec(name="inproc", title="In process",
                                document_types=(DocumentType(name="invoice", fields=()),)))

    registry = load_registry(entry_points=False, plugins=[("inproc", Plugin())])
    assert set(registry.systems) == {"passeur", "inproc"}


def test_every_register_hook_is_collected_per_plugin(tmp_path: Path) -> None:
    class Format:
        name = "myformat"

    class Function:
        name = "myfunc"

    class Plugin:
        @staticmethod
        def passeur_register_formats(register):
            register(Format())

        @staticmethod
        def passeur_register_functions(register):
            register(Function())

        @staticmethod
        def passeur_register_mapping_dirs(register):
            register(tmp_path)

        @staticmethod
        def passeur_detect_format(name, head):
            return "myformat" if head.startswith(b"MY") else None

    registry = load_registry(entry_points=False, plugins=[("mine", Plugin())])
    assert isinstance(registry.formats["myformat"], Format)
    assert isinstance(registry.functions["myfunc"], Function)
    assert tmp_path in registry.mapping_dirs
    assert registry.pm.hook.passeur_detect_format(name="x.my", head=b"MY...") == "myformat"
    assert registry.pm.hook.passeur_detect_format(name="x.txt", head=b"hello") is None


def test_plugin_commands_are_added_to_the_cli(tmp_path: Path) -> None:
    import click
    from click.testing import CliRunner

    from passeur.cli import _plugin_commands, cli
    from passeur.cli.app import State

    class Plugin:
        @staticmethod
        def passeur_register_commands(cli):
            @cli.command("hello-plugin")
            def hello() -> None:
                click.echo("hello from a plugin")

    state = State(load_registry(entry_points=False, plugins=[("cmd", Plugin())]))
    _plugin_commands(state)
    try:
        result = CliRunner().invoke(cli, ["hello-plugin"], obj=state)
        assert result.output == "hello from a plugin\n"
    finally:
        cli.commands.pop("hello-plugin", None)
