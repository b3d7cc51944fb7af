def test_officer_creates_a_person_in_own_district(officer_a, person_factory):
    person = person_factory(actor=officer_a)
    assert person.area_id.startswith("990101")
    assert person.doc_masked.startswith("990101")
