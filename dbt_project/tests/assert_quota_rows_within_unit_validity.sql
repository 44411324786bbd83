-- No kpi_quota_fulfilment row for a quarter in which its unit did not exist (e.g. a district office after 2025-06-30),
-- and none for a unit without a quota.
select
    quota_fulfilment.unit_code,
    quota_fulfilment.quarter,
    units.valid_from,
    units.valid_to,
    units.quota_articles_per_quarter

from {{ ref('kpi_quota_fulfilment') }} as quota_fulfilment
inner join {{ ref('dim_unit') }} as units
    on quota_fulfilment.unit_code = units.unit_code
where units.valid_from > quota_fulfilment.quarter_end
    or units.valid_to < quota_fulfilment.quarter_start
    or units.quota_articles_per_quarter <= 0
