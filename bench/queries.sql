-- Twenty questions staff typically ask the published warehouse (`edukpi sql`), timed by `edukpi bench`.
-- Each query starts with a `-- name:` line; the bench runs each one repeatedly through edukpi.sql.connect_readonly.
-- Periods and sites used here exist in every generator preset (data 2024-01-01 .. 2025-06-30).

-- name: quota_met_per_quarter
select quarter, count(*) filter (where quota_met) as units_meeting_quota, count(*) as units
from marts.kpi_quota_fulfilment
group by quarter
order by quarter;

-- name: district_offices_behind_quota
select unit_code, unit_name, articles_published, quota
from marts.kpi_quota_fulfilment
where quarter = '2024Q4' and unit_type = 'district_office' and not quota_met
order by articles_published, unit_code;

-- name: quota_share_by_unit_type_and_quarter
select u.unit_type, q.quarter,
       round(100.0 * count(*) filter (where q.quota_met) / count(*), 1) as meeting_quota_pct
from marts.kpi_quota_fulfilment q
join marts.dim_unit u using (unit_code)
group by u.unit_type, q.quarter
order by u.unit_type, q.quarter;

-- name: sla_per_unit_and_month
select period, unit_code, unit_name, received_count, answered_within_sla_pct
from marts.kpi_feedback_response
where period_grain = 'month' and unit_code is not null and period between '2025-01' and '2025-06'
order by period, answered_within_sla_pct nulls last;

-- name: department_sla_per_quarter
select period, received_count, answered_count, answered_within_sla_pct, median_working_days, p90_working_days
from marts.kpi_feedback_response
where period_grain = 'quarter' and unit_code is null
order by period;

-- name: overdue_open_tickets_with_unit
select t.ticket_id, u.unit_name, t.category, t.received_date, t.open_age_working_days
from marts.fct_feedback_tickets t
join marts.dim_unit u using (unit_code)
where t.is_overdue
order by t.open_age_working_days desc
limit 50;

-- name: sla_by_category_and_quarter
select t.category, d.quarter_label,
       count(*) as answered,
       round(100.0 * avg(case when t.within_sla then 1 else 0 end), 1) as within_sla_pct
from marts.fct_feedback_tickets t
join marts.dim_date d on d.date = t.received_date
where t.responded_at is not null
group by t.category, d.quarter_label
order by t.category, d.quarter_label;

-- name: response_days_per_channel
select channel, count(*) as tickets,
       median(working_days_to_response) as median_working_days,
       quantile_cont(working_days_to_response, 0.9) as p90_working_days
from marts.fct_feedback_tickets
where working_days_to_response is not null
group by channel
order by tickets desc;

-- name: top_pages_portal_month
select rank_in_month, page_path, page_title, pageviews
from marts.kpi_portal_top_pages
where site = 'hcm.edu.vn' and month = '2025-05'
order by rank_in_month
limit 20;

-- name: top_pages_year_2024
select site, page_path, sum(pageviews) as pageviews
from marts.kpi_portal_top_pages
where month between '2024-01' and '2024-12'
group by site, page_path
order by pageviews desc
limit 20;

-- name: portal_monthly_trend
select month, pageviews, users, sessions, pageviews_change_pct
from marts.kpi_portal_monthly
where site = 'hcm.edu.vn'
order by month;

-- name: subsite_ranking_per_quarter
select d.quarter_label, u.unit_name, sum(p.pageviews) as pageviews
from marts.fct_portal_daily p
join marts.dim_unit u using (unit_code)
join marts.dim_date d on d.date = p.date
where p.is_preferred_source
group by d.quarter_label, u.unit_name
qualify row_number() over (partition by d.quarter_label order by sum(p.pageviews) desc) <= 10
order by d.quarter_label, pageviews desc;

-- name: one_site_daily_views
select p.date, p.pageviews, p.users, p.source_form
from marts.fct_portal_daily p
join marts.dim_unit u using (unit_code)
where u.unit_code = 'PGD_Q1' and p.date between date '2025-03-01' and date '2025-03-31'
order by p.date, p.source_form;

-- name: working_days_per_month_2025
select month_label, count(*) filter (where is_working_day) as working_days, count(*) filter (where is_holiday) as holidays
from marts.dim_date
where year = 2025
group by month_label
order by month_label;

-- name: deadline_ten_working_days_after
select min(later.date) as deadline
from marts.dim_date start_day
join marts.dim_date later on later.working_day_seq = start_day.working_day_seq + 10 and later.is_working_day
where start_day.date = date '2025-04-25';

-- name: holidays_2025
select date, holiday_name, is_working_day
from marts.dim_date
where year = 2025 and (is_holiday or (is_weekend and is_working_day))
order by date;

-- name: headline_latest_quarter
select metric, value, previous_value, change, target, meets_target
from marts.kpi_headline
where period_grain = 'quarter' and period = (select max(period) from marts.kpi_headline where period_grain = 'quarter')
order by metric;

-- name: selection_rate_by_unit_type
select u.unit_type, p.quarter, sum(p.submitted) as submitted, sum(p.published) as published,
       round(100.0 * sum(p.selected) / nullif(sum(p.submitted), 0), 1) as selection_rate_pct
from marts.kpi_publication_pipeline p
join marts.dim_unit u using (unit_code)
group by u.unit_type, p.quarter
order by u.unit_type, p.quarter;

-- name: device_and_channel_mix_latest_month
select dimension, value, pageviews, share_pct
from marts.kpi_portal_mix
where month = (select max(month) from marts.kpi_portal_mix)
order by dimension, share_pct desc;

-- name: pageviews_working_days_vs_days_off
select d.year, d.is_working_day, count(distinct d.date) as days,
       round(sum(p.pageviews) / count(distinct d.date)) as pageviews_per_day
from marts.fct_portal_daily p
join marts.dim_date d on d.date = p.date
where p.site = 'hcm.edu.vn' and p.is_preferred_source
group by d.year, d.is_working_day
order by d.year, d.is_working_day;
