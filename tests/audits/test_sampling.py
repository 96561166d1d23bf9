"""The sample can be redrawn by anyone with the seed and the population."""

from audits.sampling import draw, population_checksum, ranked

POPULATION = [f"CASE-{n:05d}" for n in range(1, 301)]


def test_same_seed_and_population_give_the_same_sample():
    assert draw("a1b2c3", POPULATION, 50) == draw("a1b2c3", list(POPULATION), 50)


def test_the_order_of_the_population_file_does_not_matter():
    assert draw("a1b2c3", POPULATION, 50) == draw("a1b2c3", reversed(POPULATION), 50)


def test_a_different_seed_gives_a_different_sample():
    assert set(draw("a1b2c3", POPULATION, 50)) != set(draw("d4e5f6", POPULATION, 50))


def test_the_draw_is_the_documented_sha256_ranking():
    # Independent restatement of the method in sampling's docstring.
    import hashlib

    expected = sorted(
        POPULATION, key=lambda ref: hashlib.sha256(f"seed-1:{ref}".encode()).hexdigest()
    )[:5]
    assert draw("seed-1", POPULATION, 5) == expected


def test_extending_the_sample_keeps_the_first_cases_and_continues_the_sequence():
    first_50 = draw("a1b2c3", POPULATION, 50)
    first_60 = draw("a1b2c3", POPULATION, 60)
    assert first_60[:50] == first_50
    assert first_60[50:] == ranked("a1b2c3", POPULATION)[50:60]


def test_fewer_cases_than_the_target_takes_them_all():
    assert sorted(draw("a1b2c3", POPULATION[:30], 50)) == POPULATION[:30]


def test_population_checksum_ignores_order_but_not_membership():
    assert population_checksum(POPULATION) == population_checksum(reversed(POPULATION))
    assert population_checksum(POPULATION) != population_checksum(POPULATION[:-1])
