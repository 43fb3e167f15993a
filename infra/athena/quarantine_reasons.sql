-- Why records were quarantined, per day, last 7 days.
SELECT dt, reason_code, count(*) AS records
FROM "${database}"."${quarantine}"
WHERE dt >= date_format(current_date - INTERVAL '7' DAY, '%Y-%m-%d')
GROUP BY dt, reason_code
ORDER BY dt, records DESC
