"""The definitions of the indicators (pipelines.contract.definitions) against the rest of the contract."""

from __future__ import annotations

from pipelines.contract import definitions as D
from pipelines.contract.codebook import MODULES
from pipelines.contract.indicators import INDICATORS, NORM_TYPES, WINDOWS
from pipelines.contract.reference import load_equipment_norms, load_ring_norms
from tests.support import ROOT


def test_every_indicator_has_a_numerator_and_survey_fields():
    assert set(D.DEFINITIONS) == {i.id for i in INDICATORS}
    for i in INDICATORS:
        d = D.DEFINITIONS[i.id]
        assert d.numerator.strip() and d.fields, i.id
        # a share or a ratio divides by something; the site's denominator label and the definition agree on that
        assert (d.denominator is not None) == (i.kind in ("share", "ratio")), i.id


def test_every_field_named_is_a_field_of_the_codebook_in_a_module_the_indicator_needs_or_reads():
    for i in INDICATORS:
        for ref in D.DEFINITIONS[i.id].fields:
            module, name = ref.split(".", 1)
            assert name in MODULES[module].field_names, ref
        modules = {ref.split(".", 1)[0] for ref in D.DEFINITIONS[i.id].fields}
        assert set(i.modules) <= modules, i.id


def test_the_words_cover_every_kind_window_and_norm_type():
    assert {i.kind for i in INDICATORS} <= set(D.KIND_NL)
    assert set(WINDOWS) == set(D.WINDOW_NL)
    assert set(NORM_TYPES) == set(D.NORM_ORIGIN_NL)


def test_the_norm_files_named_are_the_shipped_ones_and_readable():
    for path in D.NORM_FILES.values():
        assert (ROOT / path).is_file(), path
    assert load_ring_norms(ROOT / "data" / "reference") and load_equipment_norms(ROOT / "data" / "reference")


def test_readable_puts_catalogue_codes_in_words_and_leaves_other_words_alone():
    from pipelines.contract.catalogues import CODE_WORDS, readable

    text = "ovd_p/helm op_afroep in plaats van per_voertuig (modaal); methode nctv_dreigingsbeeld"
    assert readable(text) == "OvD-P/helm op afroep in plaats van per voertuig (modaal); methode dreigingsbeeld NCTV"
    # a label that is itself a list keeps its code's words, so a list of characteristics stays a list
    assert readable("aanhoudende_dreiging, cbrn") == "aanhoudende dreiging, cbrn"
    # not a code: unchanged (an indicator id, a field name)
    assert readable("ex_count en afwijking_toelichting") == "ex_count en afwijking_toelichting"
    assert all("_" not in w for w in CODE_WORDS.values())


def test_every_share_that_can_have_nothing_to_count_has_words_for_it():
    assert set(D.EMPTY_VERDICT_NL) == {i.id for i in INDICATORS if i.empty_reason}
