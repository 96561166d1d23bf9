from audits.agreement import agreement


def test_percentage_agreement_and_cohens_kappa_on_a_worked_example():
    # 50 cases: both yes 20, first yes second no 5, first no second yes 10, both no 15.
    pairs = [(True, True)] * 20 + [(True, False)] * 5 + [(False, True)] * 10 + [(False, False)] * 15

    result = agreement(pairs)

    assert (result.cases, result.agreed, result.percentage) == (50, 35, 70.0)
    assert round(result.kappa, 6) == 0.4


def test_kappa_works_for_grades_with_several_labels():
    pairs = [("good", "good"), ("inadequate", "inadequate"), ("good", "requires_improvement")]

    result = agreement(pairs)

    assert result.agreed == 2
    # observed 2/3; expected (2*1 + 1*1 + 0*1) / 9 = 1/3; kappa = (2/3 - 1/3) / (2/3) = 0.5
    assert round(result.kappa, 6) == 0.5


def test_kappa_is_undefined_without_cases_or_variation():
    assert agreement([]).kappa is None
    assert agreement([(True, True)] * 5).kappa is None
    assert agreement([(True, True)] * 5).percentage == 100.0
