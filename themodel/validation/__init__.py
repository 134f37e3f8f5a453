"""Great Expectations suites over the marts, run after `dbt build`."""
