/**
 * Stand-ins for the parts of the catalog and learner-dashboard MFEs that hold
 * the slots (release/verawood): each draws the real PluginSlot with the slot
 * id, slotOptions and pluginProps the MFE uses, and default contents like the
 * MFE's (an Enroll button that POSTs /change_enrollment, a price row, cards).
 * Used by the tests and by the browser harness.
 */
import React, { useState } from 'react';
import { PluginSlot } from '@openedx/frontend-plugin-framework';
import { Button, Card, SearchField } from '@openedx/paragon';
import { getConfig } from '@edx/frontend-platform';
import { getAuthenticatedHttpClient } from '@edx/frontend-platform/auth';

import { navigation } from '../src/lib/navigation';

/**
 * The MFE's EnrollmentButton: POST /change_enrollment (form, X-CSRFToken from the HTTP client), then
 * the dashboard on 200, sign-in on 403, else the MFE's error line and the page stays.
 */
export function MfeEnrollButton({ courseId, onEnroll, dashboardUrl }) {
  const [error, setError] = useState(null);
  const enroll = async () => {
    if (onEnroll) { onEnroll(); }
    setError(null);
    const form = new URLSearchParams({ course_id: courseId, enrollment_action: 'enroll' });
    try {
      await getAuthenticatedHttpClient().post(`${getConfig().LMS_BASE_URL}/change_enrollment`, form);
    } catch (e) {
      if (e?.response?.status === 403) {
        navigation.assign(`${getConfig().LOGIN_URL}?next=${encodeURIComponent(navigation.currentUrl())}`);
      } else {
        setError('An error occurred. Please try again later.');
      }
      return;
    }
    navigation.assign(dashboardUrl || `${getConfig().LMS_BASE_URL}/dashboard`);
  };
  return (
    <div>
      <Button variant="brand" size="lg" onClick={enroll} data-mfe="enroll">Enroll now</Button>
      {error && <p data-mfe="enroll-result">{error}</p>}
    </div>
  );
}

export function EnrollmentButtonSlot({ courseId, dashboardUrl }) {
  const pluginProps = {
    singlePaidMode: false,
    ecommerceCheckout: false,
    isEnrollmentPending: false,
    onEnroll: () => {},
    onEcommerceCheckout: () => {},
  };
  return (
    <PluginSlot
      id="org.openedx.frontend.catalog.course_about_page.enrollment_button"
      slotOptions={{ mergeProps: true }}
      pluginProps={pluginProps}
    >
      <MfeEnrollButton courseId={courseId} dashboardUrl={dashboardUrl} />
    </PluginSlot>
  );
}

/** The MFE's SidebarDetailsItem. */
export function SidebarDetailsItem({ label, value }) {
  return (
    <div className="d-flex justify-content-between" data-mfe="sidebar-price">
      <span>{label}</span>
      <span data-mfe="sidebar-price-value">{value}</span>
    </div>
  );
}

export function CoursePriceSlot({ coursePrice }) {
  return (
    <PluginSlot
      id="org.openedx.frontend.catalog.course_about_page.sidebar.details.course_price"
      slotOptions={{ mergeProps: true }}
      pluginProps={{ coursePrice }}
    >
      <SidebarDetailsItem key="price" label="Price" value={coursePrice} />
    </PluginSlot>
  );
}

/** The MFE's CourseCard (data table shape: courseId, courseName...). */
export function MfeCourseCard({ courseId, courseName, original }) {
  const id = courseId || original?.id;
  const name = courseName || original?.data?.content?.displayName;
  return (
    <Card data-mfe="course-card" data-course-id={id}>
      <Card.Header title={name} />
      <Card.Section><a href={`/catalog/courses/${id}/about`}>Learn more</a></Card.Section>
    </Card>
  );
}

/** Catalog page card slot (Verawood): pluginProps carry the course fields. */
export function CatalogCourseCardSlot({ course }) {
  const courseCardProps = {
    isLoading: false,
    courseId: course.id,
    courseOrg: course.data.org,
    courseName: course.data.content.displayName,
    courseNumber: course.data.number,
    courseImageUrl: course.data.imageUrl,
    courseStartDate: course.data.start,
    courseAdvertisedStart: course.data.advertisedStart,
  };
  return (
    <PluginSlot
      id="org.openedx.frontend.catalog.course_catalog_page.data_table.course_card"
      slotOptions={{ mergeProps: true }}
      pluginProps={courseCardProps}
    >
      <MfeCourseCard {...courseCardProps} />
    </PluginSlot>
  );
}

/** Home page card slot: pluginProps {isLoading} only; the card gets `original`. */
export function HomeCourseCardSlot({ course }) {
  return (
    <PluginSlot
      id="org.openedx.frontend.catalog.home_page.course_card"
      slotOptions={{ mergeProps: true }}
      pluginProps={{ isLoading: false }}
    >
      <MfeCourseCard original={course} isLoading={false} />
    </PluginSlot>
  );
}

export function SearchFieldSlot({ setSearchInput, handleSearch, initialSearchValue = '' }) {
  return (
    <PluginSlot
      id="org.openedx.frontend.catalog.course_catalog_page.search_field"
      slotOptions={{ mergeProps: true }}
      pluginProps={{ setSearchInput, handleSearch, initialSearchValue }}
    >
      <SearchField
        key="search-field"
        placeholder="Search for a course"
        onChange={(value) => setSearchInput(value)}
        onSubmit={(value) => { setSearchInput(value); handleSearch(value); }}
      />
    </PluginSlot>
  );
}

export function CourseCardActionSlot({ cardId }) {
  return (
    <PluginSlot
      id="org.openedx.frontend.learner_dashboard.course_card_action.v1"
      idAliases={['course_card_action_slot']}
      pluginProps={{ cardId }}
    />
  );
}

/** An edx-search result as the catalog MFE holds it. */
export function searchResult(id, displayName) {
  return {
    id,
    type: 'course',
    data: {
      id, org: 'Org', number: id.split('+')[1], content: { displayName }, start: '2026-01-01T00:00:00Z', imageUrl: '',
    },
  };
}
