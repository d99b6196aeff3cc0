def test_old_broken(:
    pass
