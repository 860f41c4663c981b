/** The worksheet tail helpers: elements in schema order, validation coverage, added validations. */
import { describe, expect, it } from 'vitest';
import { addDataValidations, areas, covers, insertElement, validatedAreas } from '../../src/local/xlsx/tail';

const TAIL =
  '</sheetData><autoFilter ref="A1:J1"/><conditionalFormatting sqref="F2:F9"><cfRule type="cellIs" priority="1"/></conditionalFormatting>' +
  '<hyperlinks><hyperlink ref="A2" r:id="rId1"/></hyperlinks><pageMargins left="0.7"/><drawing r:id="rId2"/><tableParts count="1"><tablePart r:id="rId3"/></tableParts></worksheet>';

describe('worksheet tail', () => {
  it('puts an element where CT_Worksheet’s sequence puts it', () => {
    const dv = insertElement(TAIL, '', 'dataValidations', '<dataValidations count="0"/>');
    expect(dv).toContain('</conditionalFormatting><dataValidations count="0"/><hyperlinks>');
    const legacy = insertElement(TAIL, '', 'legacyDrawing', '<legacyDrawing r:id="rId9"/>');
    expect(legacy).toContain('<drawing r:id="rId2"/><legacyDrawing r:id="rId9"/><tableParts');
    // Nothing after it: before the end of the worksheet.
    expect(insertElement('</sheetData></worksheet>', '', 'legacyDrawing', '<x/>')).toBe(
      '</sheetData><x/></worksheet>',
    );
    // A prefixed worksheet.
    expect(
      insertElement('</x:sheetData><x:pageMargins/></x:worksheet>', 'x:', 'dataValidations', '<d/>'),
    ).toBe('</x:sheetData><d/><x:pageMargins/></x:worksheet>');
  });

  it('reads the areas validations cover, Excel’s extension list too', () => {
    expect(areas('A1:B3 D5 $F$2:$F$9 G:G')).toEqual([
      { c1: 1, c2: 2, r1: 1, r2: 3 },
      { c1: 4, c2: 4, r1: 5, r2: 5 },
      { c1: 6, c2: 6, r1: 2, r2: 9 },
      { c1: 7, c2: 7, r1: 1, r2: 1_048_576 },
    ]);
    const tail =
      '<dataValidations count="1"><dataValidation type="list" sqref="F2:F1000"><formula1>"a"</formula1></dataValidation></dataValidations>' +
      '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations count="1"><x14:dataValidation type="list">' +
      '<x14:formula1><xm:f>Team!$B$2:$B$9</xm:f></x14:formula1><xm:sqref>D2:D1000</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>';
    const list = validatedAreas(tail, '');
    expect(covers(list, 2, 6)).toBe(true);
    expect(covers(list, 2, 4)).toBe(true);
    expect(covers(list, 2, 5)).toBe(false);
  });

  it('adds validations to those there, counting them, or makes the element', () => {
    const two = addDataValidations(
      '<dataValidations count="1"><dataValidation sqref="A2"/></dataValidations><pageMargins/>',
      '',
      ['<dataValidation sqref="B2"/>'],
    );
    expect(two).toBe(
      '<dataValidations count="2"><dataValidation sqref="A2"/><dataValidation sqref="B2"/></dataValidations><pageMargins/>',
    );
    expect(addDataValidations('<dataValidations count="0"/><pageMargins/>', '', ['<v/>'])).toBe(
      '<dataValidations count="1"><v/></dataValidations><pageMargins/>',
    );
    expect(addDataValidations('</sheetData><pageMargins/></worksheet>', '', ['<v/>'])).toBe(
      '</sheetData><dataValidations count="1"><v/></dataValidations><pageMargins/></worksheet>',
    );
  });
});
